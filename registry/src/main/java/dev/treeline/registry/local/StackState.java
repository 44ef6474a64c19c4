package dev.treeline.registry.local;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code <workspace>/stack/stack.json}: what the stack started, for status and down. */
public record StackState(@JsonProperty("mlflow") Service mlflow, @JsonProperty("s3") Service s3) {
    public record Service(
            @JsonProperty("pid") long pid,
            @JsonProperty("port") int port,
            @JsonProperty("url") String url,
            @JsonProperty("log") String log,
            @JsonProperty("started_at") String startedAt) {}
}
