package dev.treeline.features.build;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Written as {@code treeline-features.json} beside a fitted feature pipeline: what it reads, what it
 * produces and the label definition, so a model can be scored and compared without the spec.
 */
public record FeatureMeta(
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("input_columns") List<String> inputColumns,
        @JsonProperty("feature_names") List<String> featureNames,
        @JsonProperty("features_column") String featuresColumn,
        @JsonProperty("label") String label,
        @JsonProperty("timestamp") String timestamp) {

    public static final String FILE = "treeline-features.json";

    public static FeatureMeta read(Path pipelineDir) throws IOException {
        return Json.read(pipelineDir.resolve(FILE), FeatureMeta.class);
    }

    public void write(Path pipelineDir) throws IOException {
        Json.writeAtomically(pipelineDir.resolve(FILE), this);
    }
}
