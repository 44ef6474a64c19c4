package dev.treeline.registry.review;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** What the gate decided and why: one reason per rule, failed ones first. */
public record GateResult(@JsonProperty("passed") boolean passed, @JsonProperty("metric") String metric, @JsonProperty("reasons") List<String> reasons) {
    public static final String PASSED = "passed";
    public static final String FAILED = "failed";

    public String status() {
        return passed ? PASSED : FAILED;
    }

    /** The reasons as one tag value. */
    public String summary() {
        return String.join("; ", reasons);
    }
}
