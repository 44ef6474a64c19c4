package dev.treeline.pipelines.format;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The {@code evaluation} dataset, written by the evaluate step and read by the registry: candidate and champion measured on the same holdout rows, the only
 * basis on which a model is promoted. Metric names by task are in docs/training.md (binary: auc,
 * logloss, ...; regression: rmse, mae, r2; multiclass: mlogloss, accuracy, macro_f1), each headline
 * with {@code _ci_low} and {@code _ci_high}.
 */
public record Evaluation(
        @JsonProperty("holdout_from") String holdoutFrom,
        @JsonProperty("holdout_to") String holdoutTo,
        @JsonProperty("task") String task,
        @JsonProperty("headline") String headline,
        @JsonProperty("candidate") Map<String, Double> candidate,
        @JsonProperty("champion") ChampionMetrics champion,
        @JsonProperty("slices") Map<String, List<SliceMetrics>> slices) {

    public record ChampionMetrics(
            @JsonProperty("version") String version,
            @JsonProperty("run_id") String runId,
            @JsonProperty("metrics") Map<String, Double> metrics,
            @JsonProperty("slices") Map<String, List<SliceMetrics>> slices,
            /** Candidate − champion with the paired 95% interval, per metric; null when the champion is of another task. */
            @JsonProperty("difference") Map<String, Delta> difference) {}

    /** Candidate − champion and its 95% paired bootstrap interval (NaN bounds when there are too few rows). */
    public record Delta(@JsonProperty("delta") double delta, @JsonProperty("ci_low") double ciLow, @JsonProperty("ci_high") double ciHigh) {}
}
