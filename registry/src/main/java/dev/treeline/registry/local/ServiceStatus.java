package dev.treeline.registry.local;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One line of {@code treeline local status}. */
public record ServiceStatus(
        @JsonProperty("name") String name,
        @JsonProperty("url") String url,
        @JsonProperty("pid") Long pid,
        @JsonProperty("running") boolean running,
        @JsonProperty("healthy") boolean healthy,
        @JsonProperty("log") String log) {}
