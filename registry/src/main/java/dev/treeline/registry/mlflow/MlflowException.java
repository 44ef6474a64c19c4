package dev.treeline.registry.mlflow;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;

/** MLflow refused a request or could not be reached. {@code errorCode} is MLflow's, e.g. RESOURCE_ALREADY_EXISTS. */
public class MlflowException extends TreelineException {
    private final int status;
    private final String errorCode;
    private boolean unclear;

    public MlflowException(int status, String errorCode, String message, Throwable cause) {
        super(ExitCode.SERVICE, message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** MLflow did not answer at {@code url}; {@code reason} says how (null: no detail). One remedy for every caller. */
    public static MlflowException unreachable(String url, String reason, Throwable cause) {
        return new MlflowException(0, null, "MLflow is not reachable at " + url + (reason == null ? "" : " (" + reason + ")")
                + "; start the local stack with 'treeline local up' or point MLFLOW_TRACKING_URI at your server", cause);
    }

    /** Marks a failure after which MLflow may or may not have done the request (a 5xx, a timeout once sent). */
    MlflowException markUnclear() {
        this.unclear = true;
        return this;
    }

    /** True when MLflow may have done the request despite the failure: look before trying a create again. */
    public boolean unclear() {
        return unclear;
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
