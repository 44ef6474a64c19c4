package dev.treeline.registry.s3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code <model>/routing.json}: how serving splits traffic between published versions. While an A/B
 * test runs it names two variants with weights summing to 100; when it ends, one variant with 100.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Routing(
        @JsonProperty("model") String model,
        @JsonProperty("experiment") String experiment,
        @JsonProperty("status") String status,
        @JsonProperty("variants") List<Variant> variants,
        @JsonProperty("started_at") String startedAt,
        @JsonProperty("ended_at") String endedAt,
        @JsonProperty("outcome") String outcome) {

    public static final String FILE = "routing.json";
    public static final String RUNNING = "running";
    public static final String ENDED = "ended";

    public record Variant(@JsonProperty("name") String name, @JsonProperty("version") String version, @JsonProperty("weight") int weight,
                          @JsonProperty("prefix") String prefix, @JsonProperty("manifest_sha256") String manifestSha256) {}

    public boolean running() {
        return RUNNING.equals(status);
    }

    public Variant variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
    }
}
