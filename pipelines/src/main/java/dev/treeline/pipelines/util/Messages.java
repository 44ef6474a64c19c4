package dev.treeline.pipelines.util;

/** Error and label texts cut to what a one-line message, a tag or a param can hold. */
public final class Messages {
    private Messages() {}

    /** The first line of {@code s}; "(no message)" for null. */
    public static String firstLine(String s) {
        if (s == null) return "(no message)";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The innermost cause of {@code e} (libraries wrap the useful reason several times). */
    public static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }

    /** Whether a full disk (ENOSPC, however the libraries on the way wrapped it) caused {@code e}. */
    public static boolean diskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) return true;
            for (Throwable s : t.getSuppressed()) if (diskFull(s)) return true;
        }
        return false;
    }

    /** The first line of the innermost cause's message. */
    public static String rootMessage(Throwable e) {
        return firstLine(rootCause(e).getMessage());
    }

    /** The innermost cause as "Type: first line of its message" (the type alone when it has none). */
    public static String rootDescription(Throwable e) {
        Throwable t = rootCause(e);
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + firstLine(t.getMessage());
    }

    /** {@code s} in at most {@code max} characters, "..." marking a cut; "" for null. */
    public static String truncate(String s, int max) {
        if (s == null) return "";
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
