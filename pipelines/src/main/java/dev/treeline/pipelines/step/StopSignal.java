package dev.treeline.pipelines.step;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import java.util.function.Supplier;

/**
 * Why a run must stop (a deadline, a cancel, a controller shutting down), or null to go on. The runner
 * asks it before every step; steps ask it before every write another system sees (a model version, an
 * alias, a published file), so an attempt that was given up on cannot register, promote or push after
 * its thread was abandoned.
 */
@FunctionalInterface
public interface StopSignal {
    StopSignal NEVER = () -> null;

    /** The reason to stop now, or null. */
    String reason();

    /** Throws (exit 130) when the run must stop, naming what it was about to do. */
    default void check(String before) {
        String r = reason();
        if (r != null) throw new TreelineException(ExitCode.INTERRUPTED, "stopped before " + before + " (" + r + ")");
    }

    static StopSignal of(Supplier<String> reason) {
        return reason::get;
    }
}
