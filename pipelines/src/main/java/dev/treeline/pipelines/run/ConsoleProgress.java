package dev.treeline.pipelines.run;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Progress for a person. On a terminal, the newest running work is one line at the bottom, rewritten in
 * place (at most {@value #REDRAW_MILLIS} ms apart) with its elapsed time and, when its fraction is
 * known, an ETA; lines that stay print above it. Elsewhere (CI, a log file) work that has run for
 * {@value #QUIET_MILLIS} ms gets a line when it passes another 10%, at most one per {@value #QUIET_MILLIS} ms
 * (one per {@value #UNKNOWN_MILLIS} ms when its fraction is unknown), so a log shows long work without
 * repeating short work.
 */
public final class ConsoleProgress implements Progress {
    static final long REDRAW_MILLIS = 200;
    static final long QUIET_MILLIS = 30_000;
    static final long UNKNOWN_MILLIS = 60_000;

    private final Supplier<PrintStream> out;
    private final boolean terminal;
    private final int width;
    private final LongSupplier clock;
    private final Map<String, Work> running = new LinkedHashMap<>();
    private String shown = "";
    private long drawn;

    private static final class Work {
        final long started;
        String text;
        double fraction = Double.NaN;
        long printed;
        int bucket = -1;

        Work(long started) {
            this.started = started;
            this.printed = started;
        }
    }

    public ConsoleProgress(Supplier<PrintStream> out, boolean terminal, int width, LongSupplier clock) {
        this.out = out;
        this.terminal = terminal;
        this.width = Math.max(40, width);
        this.clock = clock;
    }

    /**
     * Progress on standard output (looked up at each line, so redirections apply). A terminal when the
     * JVM has a console; its width from {@code treeline.columns} (set by ./treeline), else {@code COLUMNS}, else 100.
     */
    public static ConsoleProgress standardOutput() {
        return new ConsoleProgress(() -> System.out, System.console() != null, width(), System::currentTimeMillis);
    }

    /**
     * Progress on standard error, for commands whose standard output is one JSON object (--output json).
     * Lines, never a live one: the output is going to a program, whoever reads the errors.
     */
    public static ConsoleProgress standardError() {
        return new ConsoleProgress(() -> System.err, false, width(), System::currentTimeMillis);
    }

    private static int width() {
        String cols = System.getProperty("treeline.columns", System.getenv("COLUMNS"));
        try {
            if (cols != null && !cols.isBlank()) return Integer.parseInt(cols.trim());
        } catch (NumberFormatException e) {
            // keep the default
        }
        return 100;
    }

    @Override
    public synchronized void info(String line) {
        PrintStream o = out.get();
        if (terminal && !shown.isEmpty()) o.print("\r\033[K");
        o.println(line);
        shown = "";
        if (terminal) redraw(true);
        o.flush();
    }

    @Override
    public synchronized void status(String key, String text, double fraction) {
        long now = clock.getAsLong();
        Work w = running.get(key);
        boolean fresh = w == null;
        if (fresh) {
            w = new Work(now);
            running.put(key, w);
        }
        w.text = text;
        w.fraction = fraction;
        if (terminal) {
            redraw(fresh);
        } else {
            logLine(w, now);
        }
    }

    @Override
    public synchronized void endStatus(String key) {
        if (running.remove(key) != null && terminal) redraw(true);
    }

    /** On a terminal: the newest running work, in place. */
    private void redraw(boolean now) {
        long t = clock.getAsLong();
        if (!now && t - drawn < REDRAW_MILLIS) return;
        String line = "";
        if (!running.isEmpty()) {
            List<Work> all = new ArrayList<>(running.values());
            Work newest = all.get(all.size() - 1);
            line = decorate(newest, t);
            if (line.length() > width - 1) line = line.substring(0, width - 2) + "…";
        }
        if (line.equals(shown)) return;
        PrintStream o = out.get();
        o.print("\r\033[K" + line);
        o.flush();
        shown = line;
        drawn = t;
    }

    /** Elsewhere: a line when the work is long enough and has moved on enough since its last line. */
    private void logLine(Work w, long now) {
        if (now - w.started < QUIET_MILLIS) return;
        boolean known = !Double.isNaN(w.fraction);
        if (known) {
            int bucket = (int) Math.floor(Math.min(1.0, Math.max(0.0, w.fraction)) * 10);
            if (bucket <= w.bucket || now - w.printed < QUIET_MILLIS) return;
            w.bucket = bucket;
        } else if (now - w.printed < UNKNOWN_MILLIS) {
            return;
        }
        w.printed = now;
        PrintStream o = out.get();
        o.println(decorate(w, now));
        o.flush();
    }

    static String decorate(Work w, long now) {
        double elapsed = (now - w.started) / 1000.0;
        StringBuilder b = new StringBuilder(w.text).append(" · ").append(duration(elapsed));
        if (!Double.isNaN(w.fraction) && w.fraction >= 0.02 && w.fraction < 1.0 && elapsed >= 2) {
            b.append(", ETA ").append(duration(elapsed * (1 - w.fraction) / w.fraction));
        }
        return b.toString();
    }

    static String duration(double seconds) {
        if (seconds < 60) return String.format("%.0f s", seconds);
        if (seconds < 3600) return String.format("%d min %02d s", (long) seconds / 60, (long) seconds % 60);
        return String.format("%d h %02d min", (long) seconds / 3600, ((long) seconds % 3600) / 60);
    }
}
