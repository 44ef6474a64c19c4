package dev.treeline.features.validate;

import dev.treeline.pipelines.spec.SpecNode;
import java.util.List;

/** What breaking a rule does: {@code fail} rejects the row or stops the pipeline; {@code warn} only reports. */
public enum Severity {
    WARN, FAIL;

    static Severity of(SpecNode node, String key, Severity fallback) {
        if (!node.has(key)) return fallback;
        return node.require(key).asEnum(List.of("warn", "fail")).equals("warn") ? WARN : FAIL;
    }

    public String spelling() {
        return name().toLowerCase();
    }
}
