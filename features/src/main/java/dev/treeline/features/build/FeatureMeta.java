package dev.treeline.features.build;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Written as {@code treeline-features.json} beside a fitted feature pipeline: what it reads, what it
 * produces and the label definition, so a model can be scored and compared without the pipeline spec.
 * {@code input_columns} come with each row; {@code attached_columns} are looked up as of the row's day
 * (aggregates from {@code aggregates_dataset}, joins from their datasets) by {@link Enrichment} using
 * the feature spec copied beside it ({@value #SPEC_FILE}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FeatureMeta(
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("input_columns") List<String> inputColumns,
        @JsonProperty("attached_columns") List<String> attachedColumns,
        @JsonProperty("feature_names") List<String> featureNames,
        @JsonProperty("feature_types") List<String> featureTypes,
        @JsonProperty("features_column") String featuresColumn,
        @JsonProperty("label") String label,
        @JsonProperty("timestamp") String timestamp,
        @JsonProperty("spec_hash") String specHash,
        @JsonProperty("aggregates_dataset") String aggregatesDataset,
        @JsonProperty("join_datasets") List<String> joinDatasets,
        @JsonProperty("pii_columns") List<String> piiColumns,
        @JsonProperty("snapshot_id") String snapshotId) {

    public static final String FILE = "treeline-features.json";
    public static final String SPEC_FILE = "features.yaml";
    public static final String SAMPLE_DIR = "sample";

    /** The feature spec saved beside a fitted feature pipeline (the bundle's own, not the current spec file's). */
    public static FeatureSpec readSpec(Path pipelineDir) {
        return FeatureSpec.parse(SpecNode.parse(pipelineDir.resolve(SPEC_FILE), Interpolator.of(Map.of())));
    }

    public static FeatureMeta read(Path pipelineDir) throws IOException {
        return Json.read(pipelineDir.resolve(FILE), FeatureMeta.class);
    }

    public void write(Path pipelineDir) throws IOException {
        Json.writeAtomically(pipelineDir.resolve(FILE), this);
    }

    public boolean hasCategorical() {
        return featureTypes != null && featureTypes.contains("c");
    }

    public boolean needsLookups() {
        return attachedColumns != null && !attachedColumns.isEmpty();
    }
}
