package dev.treeline.pipelines.run;

import java.io.PrintStream;

/** Where a run reports what it is doing. The CLI prints to the terminal; tests collect lines. */
public interface Progress {
    void info(String line);

    default void detail(String line) {
        info("  " + line);
    }

    static Progress to(PrintStream out) {
        return line -> {
            out.println(line);
            out.flush();
        };
    }

    Progress SILENT = line -> {};
}
