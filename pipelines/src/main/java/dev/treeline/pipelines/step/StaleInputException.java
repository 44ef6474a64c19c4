package dev.treeline.pipelines.step;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;

/**
 * A step found one of its inputs out of date with the world (the promote step's evaluation compared the
 * candidate with a champion another run has replaced since). The runner marks the step that wrote that
 * input, and every step after it, to run again, so the run's next attempt (a scheduler retry, a rerun of
 * the date) redoes them instead of failing the same way.
 */
public final class StaleInputException extends TreelineException {
    private final String dataset;

    public StaleInputException(String dataset, String message) {
        super(ExitCode.FAILURE, message);
        this.dataset = dataset;
    }

    /** The input that is out of date. */
    public String dataset() {
        return dataset;
    }
}
