package dev.treeline.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command takes. */
public final class CommonOptions {
    @Option(names = "--workspace", paramLabel = "DIR",
            description = "Workspace for run state, data and the local stack (default: $TREELINE_HOME, else .treeline in the current directory).")
    Path workspace;

    static boolean stacktraceRequested(String[] args) {
        for (String a : args) if (a.equals("--stacktrace")) return true;
        return false;
    }
}
