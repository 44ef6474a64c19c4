package dev.treeline.registry.steps;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code model_version} dataset: which registry version a run produced. */
public record ModelVersionRecord(
        @JsonProperty("model") String model,
        @JsonProperty("version") String version,
        @JsonProperty("run_id") String runId,
        @JsonProperty("source") String source) {}
