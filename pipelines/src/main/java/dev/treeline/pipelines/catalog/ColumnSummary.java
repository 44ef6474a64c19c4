package dev.treeline.pipelines.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A column of one day partition, from the Parquet footers: null count, smallest and largest value (as text). */
public record ColumnSummary(@JsonProperty("nulls") long nulls, @JsonProperty("min") String min, @JsonProperty("max") String max) {}
