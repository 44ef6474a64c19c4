package dev.treeline.registry.mlflow;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;

/** MLflow refused a request or could not be reached. {@code errorCode} is MLflow's, e.g. RESOURCE_ALREADY_EXISTS. */
public class MlflowException extends TreelineException {
    private final int status;
    private final String errorCode;

    public MlflowException(int status, String errorCode, String message, Throwable cause) {
        super(ExitCode.SERVICE, message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    public String errorCode() {
        return errorCode == null ? "" : errorCode;
    }

    public boolean is(String code) {
        return code.equals(errorCode);
    }
}
