package dev.treeline.pipelines;

/**
 * An expected failure with a one-line message a user can act on, and the exit code it maps to.
 * The CLI prints {@link #getMessage()} and exits with {@link #exitCode()}; stack traces only with --stacktrace.
 */
public class TreelineException extends RuntimeException {
    private final ExitCode exitCode;

    public TreelineException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public TreelineException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public static TreelineException data(String message) {
        return new TreelineException(ExitCode.DATA, message);
    }

    public static TreelineException service(String message, Throwable cause) {
        return new TreelineException(ExitCode.SERVICE, message, cause);
    }

    public static TreelineException failure(String message, Throwable cause) {
        return new TreelineException(ExitCode.FAILURE, message, cause);
    }
}
