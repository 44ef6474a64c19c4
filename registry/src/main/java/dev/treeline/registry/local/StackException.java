package dev.treeline.registry.local;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;

/** The local stack could not be installed, started or stopped. */
public class StackException extends TreelineException {
    public StackException(String message) {
        super(ExitCode.STACK, message);
    }

    public StackException(String message, Throwable cause) {
        super(ExitCode.STACK, message, cause);
    }
}
