package dev.treeline.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code treeline} command: a small root that lists the subcommands. */
@Command(name = "treeline",
        mixinStandardHelpOptions = true,
        // Every subcommand takes --help (the usage errors tell people to use it).
        scope = CommandLine.ScopeType.INHERIT,
        versionProvider = VersionProvider.class,
        description = "Batch ML training and MLOps on Spark, XGBoost and MLflow.",
        subcommands = {
                DemoCommand.class,
                RunCommand.class,
                ScoreCommand.class,
                TuneCommand.class,
                LocalCommand.class,
                SchedulerCommand.class,
                RunsCommand.class,
                BackfillCommand.class,
                StepsCommand.class,
                SpecCommand.class,
                ValidateCommand.class,
                ContractCommand.class,
                ModelsCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: see docs/exit-codes.md (0 ok, 1 failure, 2 usage, 3 spec, 4 data, 5 service, 6 local stack, 7 busy)."})
public final class Treeline implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Read by {@link ErrorHandler} from the arguments; declared here so every subcommand accepts it. */
    @CommandLine.Option(names = "--stacktrace", scope = CommandLine.ScopeType.INHERIT, description = "Print the full stack trace of an error.")
    boolean stacktrace;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        consoleErrors();
        System.exit(commandLine().execute(args));
    }

    /**
     * Under ./treeline, standard error (fd 2) is the workspace's log file, where native libraries and
     * Spark write; Treeline's own errors still belong on the terminal, which the launcher passes as
     * {@code treeline.stderr}. Log4j writes to fd 2 directly (log4j2.properties), so it stays in the log.
     */
    static void consoleErrors() {
        String console = System.getProperty("treeline.stderr");
        if (console == null || console.isBlank()) return;
        try {
            System.setErr(new PrintStream(consoleStream(console), true, StandardCharsets.UTF_8));
        } catch (IOException e) {
            // no such descriptor (not started by ./treeline): errors stay on standard error
        }
    }

    /**
     * The inherited descriptor itself, not a new open of /dev/fd/N: opening it again truncates a file that
     * standard output and error were both redirected to ({@code ./treeline demo >out.log 2>&1}) and
     * writes from offset 0 over what standard output wrote.
     */
    private static OutputStream consoleStream(String console) throws IOException {
        if (console.startsWith("/dev/fd/")) {
            try {
                FileDescriptor fd = new FileDescriptor();
                Field f = FileDescriptor.class.getDeclaredField("fd");
                f.setAccessible(true); // java.io is opened to this jar by the launcher (--add-opens)
                f.setInt(fd, Integer.parseInt(console.substring("/dev/fd/".length())));
                if (!fd.valid()) throw new IOException("no descriptor " + console);
                return new FileOutputStream(fd);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // fall back to appending through the path
            }
        }
        return new FileOutputStream(console, true);
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Treeline());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new ErrorHandler.Usage());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        return cl;
    }
}
