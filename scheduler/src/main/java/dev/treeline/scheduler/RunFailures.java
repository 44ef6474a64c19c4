package dev.treeline.scheduler;

/** The one line a failed attempt records, for exceptions and errors alike (an Error's message may be null). */
final class RunFailures {
    private RunFailures() {}

    static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof Error || m == null || m.isBlank()) return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
        return m;
    }
}
