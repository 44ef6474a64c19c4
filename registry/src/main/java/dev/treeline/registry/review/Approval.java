package dev.treeline.registry.review;

import java.util.List;

/** A version's approval status, kept as version tags (who, when, comment beside it). */
public enum Approval {
    PendingManualApproval, Approved, Rejected;

    /** The spec's {@code approval:} policy. */
    public static final String MANUAL = "manual";
    public static final String AUTO_WHEN_GATE_PASSES = "auto_when_gate_passes";
    public static final List<String> POLICIES = List.of(MANUAL, AUTO_WHEN_GATE_PASSES);

    public static Approval parse(String s) {
        if (s == null || s.isEmpty()) return null;
        for (Approval a : values()) if (a.name().equals(s)) return a;
        return null;
    }
}
