package dev.treeline.training.evaluate;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code evaluation} dataset: candidate and champion measured on the same holdout rows, the only
 * basis on which a model is promoted.
 */
public record Evaluation(
        @JsonProperty("holdout_from") String holdoutFrom,
        @JsonProperty("holdout_to") String holdoutTo,
        @JsonProperty("candidate") BinaryMetrics candidate,
        @JsonProperty("champion") ChampionMetrics champion,
        @JsonProperty("slices") java.util.Map<String, java.util.List<SliceMetrics>> slices) {

    public record ChampionMetrics(
            @JsonProperty("version") String version,
            @JsonProperty("run_id") String runId,
            @JsonProperty("metrics") BinaryMetrics metrics) {}
}
