package dev.treeline.pipelines.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Written as {@code _treeline.json} inside each day partition, last: a partition without it is not
 * published. {@code fingerprint} identifies the inputs and code that produced it.
 */
public record PartitionMarker(
        @JsonProperty("fingerprint") String fingerprint,
        @JsonProperty("rows") long rows,
        @JsonProperty("written_at") String writtenAt,
        @JsonProperty("run_id") String runId) {

    public static final String FILE = "_treeline.json";
}
