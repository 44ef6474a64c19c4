package dev.treeline.pipelines.run;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;

/** A step failed; keeps the cause's exit code (DATA for validation, SERVICE for MLflow...) and names the step. */
public class StepFailedException extends TreelineException {
    private final String step;

    public StepFailedException(String step, ExitCode code, String message, Throwable cause) {
        super(code, "step '" + step + "' failed: " + message, cause);
        this.step = step;
    }

    public String step() {
        return step;
    }
}
