package dev.treeline.cli.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One measured line of a benchmark; {@code ratio} is to the line the benchmark names as its baseline. */
public record BenchResult(@JsonProperty("name") String name, @JsonProperty("seconds") double seconds, @JsonProperty("ratio") double ratio,
                          @JsonProperty("note") String note) {}
