package dev.treeline.pipelines.spec;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;

/** A spec, schedule or config file is invalid. The message starts with {@code file:line: key:}. */
public class SpecException extends TreelineException {
    public SpecException(String message) {
        super(ExitCode.SPEC, message);
    }
}
