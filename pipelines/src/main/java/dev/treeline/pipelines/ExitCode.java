package dev.treeline.pipelines;

/**
 * The one table of process exit codes. docs/exit-codes.md mirrors it; a test keeps them equal.
 */
public enum ExitCode {
    OK(0, "success (including: nothing to do, the date already succeeded)"),
    FAILURE(1, "a pipeline step or command failed; the message names the step"),
    USAGE(2, "bad command line: unknown option, missing argument"),
    SPEC(3, "invalid pipeline spec, schedule or configuration: the message names file, line and key"),
    DATA(4, "input data failed validation (schema, reject ratio): the message names the dataset and rule"),
    SERVICE(5, "a service is unreachable or refused the request (MLflow, S3, Spark master)"),
    STACK(6, "the local stack could not be installed, started or stopped (port taken, Python missing)"),
    BUSY(7, "another process is running the same pipeline and date"),
    INTERRUPTED(130, "interrupted (Ctrl-C or SIGTERM)");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** Whether {@code code} is one of the table's. */
    public static boolean known(int code) {
        for (ExitCode c : values()) if (c.code == code) return true;
        return false;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
