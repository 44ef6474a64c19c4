package dev.treeline.pipelines.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Written as {@code _treeline.json} at the root of a table, last: names the version readers see
 * ({@code data}, relative to the root). A table without it is read as the files at its root, as an
 * earlier Treeline wrote it or as a source arrives.
 */
record TablePointer(@JsonProperty("data") String data, @JsonProperty("written_at") String writtenAt, @JsonProperty("run_id") String runId) {
    static final String FILE = PartitionMarker.FILE;
}
