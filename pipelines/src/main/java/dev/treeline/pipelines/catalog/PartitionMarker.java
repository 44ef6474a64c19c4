package dev.treeline.pipelines.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Written as {@code _treeline.json} inside each day partition, last: a partition without it is not
 * published. It is the day's pointer: {@code data} names the directory (relative to the dataset's root)
 * holding the day's files, in the version of the run that wrote it; null for a day an earlier Treeline
 * wrote in place, beside the marker. {@code fingerprint} identifies the inputs and code that produced it; {@code rows} and
 * {@code columns} are read from the Parquet footers of its files (no scan), so row counts, null ratios,
 * ranges and freshness of a day are known without reading its data.
 */
public record PartitionMarker(
        @JsonProperty("fingerprint") String fingerprint,
        @JsonProperty("rows") long rows,
        @JsonProperty("written_at") String writtenAt,
        @JsonProperty("run_id") String runId,
        @JsonProperty("columns") Map<String, ColumnSummary> columns,
        @JsonProperty("data") String data) {

    public static final String FILE = "_treeline.json";

    public ColumnSummary column(String name) {
        return columns == null ? null : columns.get(name);
    }
}
