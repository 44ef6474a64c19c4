package dev.treeline.pipelines.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.time.LocalDate;

/**
 * {@code params:} of an ingest step. Each run (re)writes the days of its window, [D - window_days + 1, D],
 * when their source changed, and fills missing days back to {@code history_start}. Without
 * {@code time_column} the table has no time: each run's snapshot of the whole source is the logical date's day.
 */
record IngestParams(
        @JsonProperty("time_column") String timeColumn,
        @JsonProperty("window_days") int windowDays,
        @JsonProperty("history_start") LocalDate historyStart,
        @JsonProperty("max_reject_ratio") double maxRejectRatio) {

    static IngestParams from(SpecNode node) {
        node.allowOnly("time_column", "window_days", "history_start", "max_reject_ratio");
        String time = node.has("time_column") ? node.requiredString("time_column") : null;
        if (time == null) {
            for (String k : new String[] {"window_days", "history_start"}) {
                if (node.has(k)) {
                    throw node.require(k).error(k + " needs time_column: without one, each run reads the whole table as its logical date's snapshot");
                }
            }
        }
        return new IngestParams(time, node.integer("window_days", 1, 1, 3660),
                node.has("history_start") ? node.require("history_start").asDate() : null,
                node.number("max_reject_ratio", 0.01, 0.0, 1.0));
    }

    /** A table without time: every row belongs to the logical date's snapshot. */
    boolean snapshot() {
        return timeColumn == null;
    }
}
