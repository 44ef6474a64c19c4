package dev.treeline.training.bundle;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.pipelines.format.BundleFiles;
import dev.treeline.pipelines.format.ModelMeta;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.spark.ml.PipelineModel;

/**
 * A trained model as one directory: the native booster (UBJ, plus JSON for people and other runtimes),
 * the fitted feature pipeline that turns raw rows into its input, and metadata. This directory is what
 * is logged to MLflow, registered and published to S3, byte for byte.
 */
public record ModelBundle(Path dir) {
    // The layout's one definition is BundleFiles; these names keep the training code short.
    public static final String BOOSTER_UBJ = BundleFiles.BOOSTER_UBJ;
    public static final String BOOSTER_JSON = BundleFiles.BOOSTER_JSON;
    public static final String FEATURE_PIPELINE = BundleFiles.FEATURE_PIPELINE;
    public static final String META = BundleFiles.META;
    public static final String IMPORTANCE = BundleFiles.IMPORTANCE;
    public static final String SCORING_SAMPLE = BundleFiles.SCORING_SAMPLE;
    public static final String EXPECTED_SCORE = BundleFiles.EXPECTED_SCORE;
    public static final String EXPECTED_PROBABILITIES = BundleFiles.EXPECTED_PROBABILITIES;

    public static ModelBundle at(Path dir) {
        if (!Files.isRegularFile(dir.resolve(META)) || !Files.isRegularFile(dir.resolve(BOOSTER_UBJ))) {
            throw new IllegalArgumentException(dir + " is not a model bundle (no " + META + " or " + BOOSTER_UBJ + ")");
        }
        return new ModelBundle(dir);
    }

    public ModelMeta meta() {
        try {
            return Json.read(dir.resolve(META), ModelMeta.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(META), e);
        }
    }

    public FeatureMeta featureMeta() {
        try {
            return FeatureMeta.read(dir.resolve(FEATURE_PIPELINE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the feature metadata in " + dir, e);
        }
    }

    public byte[] boosterBytes() {
        try {
            return Files.readAllBytes(dir.resolve(BOOSTER_UBJ));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Booster loadBooster() {
        try {
            return XGBoost.loadModel(dir.resolve(BOOSTER_UBJ).toString());
        } catch (XGBoostError e) {
            throw new IllegalStateException("cannot load the booster in " + dir + ": " + e.getMessage(), e);
        }
    }

    public PipelineModel loadFeaturePipeline() {
        return PipelineModel.load(dir.resolve(FEATURE_PIPELINE).toString());
    }
}
