package dev.treeline.pipelines.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.time.LocalDate;

/** {@code params:} of an ingest step. */
record IngestParams(@JsonProperty("time_column") String timeColumn, @JsonProperty("start_date") LocalDate startDate) {
    static IngestParams from(SpecNode node) {
        node.allowOnly("time_column", "start_date");
        return new IngestParams(node.requiredString("time_column"), node.has("start_date") ? node.require("start_date").asDate() : null);
    }
}
