package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Messages;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns exceptions into one line and an exit code from the one table ({@link ExitCode}). Stack traces
 * only with --stacktrace.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean trace = CommonOptions.stacktraceRequested(parsed.originalArgs().toArray(String[]::new));
        int code;
        if (ex instanceof TreelineException te) {
            err.println("error: " + te.getMessage());
            code = te.exitCode().code();
        } else if (ex instanceof InterruptedException) {
            err.println("interrupted");
            code = ExitCode.INTERRUPTED.code();
        } else {
            err.println("error: " + ex.getClass().getSimpleName() + ": " + Messages.firstLine(ex.getMessage()));
            code = ExitCode.FAILURE.code();
        }
        if (trace) ex.printStackTrace(err);
        else err.println("(run with --stacktrace for details)");
        err.flush();
        return code;
    }

    /** Bad command lines: the message, a suggestion, and where to get help; exit code 2. */
    static final class Usage implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine cl = ex.getCommandLine();
            PrintWriter err = cl.getErr();
            err.println("error: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return ExitCode.USAGE.code();
        }
    }
}
