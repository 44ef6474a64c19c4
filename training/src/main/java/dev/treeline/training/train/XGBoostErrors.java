package dev.treeline.training.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One readable line from an XGBoost failure. XGBoost's native errors are a source position, then the
 * reasons as "- [file:line|time]: reason" lines, then a native stack trace; Spark wraps them in turn.
 * The reasons are what a user can act on.
 */
final class XGBoostErrors {
    private static final Pattern REASON = Pattern.compile("(?m)^- \\[[^\\]]*\\]:\\s*(.+?)\\s*$");
    private static final Pattern POSITION = Pattern.compile("^\\[[0-9:]+\\] \\S+:[0-9]+: ");

    private XGBoostErrors() {}

    static String summary(Throwable e) {
        List<String> reasons = new ArrayList<>();
        String lost = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null) continue;
            Matcher r = REASON.matcher(m);
            while (r.find()) if (!reasons.contains(r.group(1))) reasons.add(r.group(1));
            if (lost == null && (m.contains("ExecutorLostFailure") || m.contains("executor lost") || m.contains("Lost executor"))) {
                lost = "a Spark executor was lost";
            }
        }
        if (!reasons.isEmpty()) {
            return String.join("; ", reasons) + (lost != null ? " (" + lost + ")" : " (an XGBoost worker stopped: a lost Spark executor or a killed task)");
        }
        String first = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("").strip();
        first = POSITION.matcher(first).replaceFirst("");
        return first + (lost != null && !first.toLowerCase(Locale.ROOT).contains("lost") ? " (" + lost + ")" : "");
    }
}
