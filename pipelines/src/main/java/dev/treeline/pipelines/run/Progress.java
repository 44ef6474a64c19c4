package dev.treeline.pipelines.run;

import java.io.PrintStream;

/**
 * Where a run reports what it is doing. {@link #info} lines stay; {@link #status} is the live state of
 * long work (what runs, how far it is), which {@link ConsoleProgress} shows as one line rewritten in
 * place on a terminal and as an occasional line elsewhere. Tests collect the lines.
 */
public interface Progress {
    void info(String line);

    default void detail(String line) {
        info("  " + line);
    }

    /**
     * The live state of the work named {@code key}: {@code text} says what runs and how far it is,
     * {@code fraction} (0..1, NaN when unknown) how much is done. The newest work still running is what
     * a terminal shows; {@link #endStatus} removes it.
     */
    default void status(String key, String text, double fraction) {}

    default void endStatus(String key) {}

    /** The same progress, with every status said to be of {@code label} (a step's "[3/9] features"). */
    static Progress labelled(Progress p, String label) {
        return new Progress() {
            @Override
            public void info(String line) {
                p.info(line);
            }

            @Override
            public void detail(String line) {
                p.detail(line);
            }

            @Override
            public void status(String key, String text, double fraction) {
                p.status(label + "/" + key, label + ": " + text, fraction);
            }

            @Override
            public void endStatus(String key) {
                p.endStatus(label + "/" + key);
            }
        };
    }

    static Progress to(PrintStream out) {
        return line -> {
            out.println(line);
            out.flush();
        };
    }

    Progress SILENT = line -> {};
}
