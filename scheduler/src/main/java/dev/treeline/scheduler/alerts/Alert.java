package dev.treeline.scheduler.alerts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One notification about an incident: what happened ({@code kind}), how bad, and whether it started or
 * ended. {@code key} is the incident's stable identity (e.g. {@code run_failed:flights-nightly}): one
 * firing notification per key until it is resolved, then one resolved notification.
 */
public record Alert(String key, String kind, Severity severity, Status status, String summary, Map<String, String> details, Instant at) {
    public static final String RUN_FAILED = "run_failed";
    public static final String RUN_LATE = "run_late";
    public static final String GATE_FAILED = "gate_failed";
    public static final String MODEL_DECAYED = "model_decayed";
    public static final String DRIFT = "drift";
    public static final String CONTROLLER_DOWN = "controller_down";

    public enum Severity {
        CRITICAL, WARNING, INFO;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Status {
        FIRING, RESOLVED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The first line of every message, e.g. {@code [CRITICAL] FIRING run_failed:flights-nightly}. */
    public String title() {
        return "[" + severity.name() + "] " + status.name() + " " + key;
    }

    /** The webhook body: {@code text} for Slack and chat tools, the fields for any other receiver. */
    public Map<String, Object> body() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("text", title() + ": " + summary);
        b.put("incident_key", key);
        b.put("status", status.label());
        b.put("severity", severity.label());
        b.put("kind", kind);
        b.put("summary", summary);
        b.put("details", details);
        b.put("at", at.toString());
        return b;
    }

    /** The e-mail body: the summary, then each detail on its own line. */
    public String text() {
        StringBuilder sb = new StringBuilder(title()).append("\n\n").append(summary).append("\n\n");
        details.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        sb.append("at: ").append(at).append('\n');
        return sb.toString();
    }
}
