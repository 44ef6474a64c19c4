package dev.treeline.pipelines.run;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The file native libraries (XGBoost, its tracker) and Spark's logging write to: standard error, which
 * ./treeline points at {@code <workspace>/logs/treeline.log} and names in {@code treeline.log}.
 */
public final class NativeLog {
    private NativeLog() {}

    /** The log file, or null when standard error is not one (not started by ./treeline). */
    public static String file() {
        String f = System.getProperty("treeline.log");
        return f == null || f.isBlank() || f.startsWith("/dev/") ? null : f;
    }

    /**
     * Writes a line that starts a section of the log (a run, an attempt) and returns the file, or
     * returns null and writes nothing when there is no log file.
     */
    public static String mark(String what) {
        String f = file();
        if (f == null) return null;
        try {
            // Straight to fd 2, the log file itself: System.err is the terminal under ./treeline.
            FileOutputStream err = new FileOutputStream(FileDescriptor.err);
            err.write(("\n=== " + Instant.now() + " " + what + " ===\n").getBytes(StandardCharsets.UTF_8));
            err.flush();
        } catch (IOException e) {
            // the log is for diagnosis; a run does not fail for it
        }
        return f;
    }
}
