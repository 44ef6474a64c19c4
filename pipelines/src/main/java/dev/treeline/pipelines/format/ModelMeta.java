package dev.treeline.pipelines.format;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** {@code treeline-model.json} in a model bundle: how to score it and where it came from. */
public record ModelMeta(
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("objective") String objective,
        @JsonProperty("best_iteration") int bestIteration,
        @JsonProperty("boosted_rounds") int boostedRounds,
        @JsonProperty("feature_names") List<String> featureNames,
        @JsonProperty("label") String label,
        @JsonProperty("params") Map<String, Object> params,
        @JsonProperty("versions") Map<String, String> versions,
        @JsonProperty("trained_at") String trainedAt,
        @JsonProperty("num_class") int numClass,
        @JsonProperty("calibration") Calibration calibration) {

    public Task task() {
        return Task.of(objective);
    }

    /** The same model with a calibration applied to its scores. */
    public ModelMeta withCalibration(Calibration c) {
        return new ModelMeta(formatVersion, objective, bestIteration, boostedRounds, featureNames, label, params, versions, trainedAt, numClass, c);
    }

    /** Trees to use when predicting: those up to and including the best iteration. */
    public int iterationEnd() {
        return bestIteration + 1;
    }
}
