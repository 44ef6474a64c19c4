package dev.treeline.pipelines.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.time.LocalDate;

/**
 * {@code params:} of an ingest step. Each run (re)writes the days of its window, [D - window_days + 1, D],
 * when their source changed, and fills missing days back to {@code history_start}.
 */
record IngestParams(
        @JsonProperty("time_column") String timeColumn,
        @JsonProperty("window_days") int windowDays,
        @JsonProperty("history_start") LocalDate historyStart,
        @JsonProperty("max_reject_ratio") double maxRejectRatio) {

    static IngestParams from(SpecNode node) {
        node.allowOnly("time_column", "window_days", "history_start", "max_reject_ratio");
        return new IngestParams(node.requiredString("time_column"), node.integer("window_days", 1, 1, 3660),
                node.has("history_start") ? node.require("history_start").asDate() : null,
                node.number("max_reject_ratio", 0.01, 0.0, 1.0));
    }
}
