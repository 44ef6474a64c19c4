package dev.treeline.training.bundle;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.pipelines.format.ModelMeta;
import dev.treeline.pipelines.format.Task;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Writes a {@link ModelBundle}: the one writer of the layout {@link dev.treeline.pipelines.format.BundleFiles}
 * names. The booster is saved as given (the train step trims it to the best iteration first); the feature
 * pipeline is copied without the features step's vector sample, and in its place the bundle keeps those rows
 * with the scores this booster gives them, which a reload must reproduce ({@link ScoringParity}).
 */
public final class BundleWriter {
    private final Booster booster;
    private final Path featurePipeline;
    private final ModelMeta meta;
    private final Map<String, Double> importance;
    private final Dataset<Row> sample;

    private BundleWriter(Booster booster, Path featurePipeline, ModelMeta meta, Map<String, Double> importance, Dataset<Row> sample) {
        this.booster = booster;
        this.featurePipeline = featurePipeline;
        this.meta = meta;
        this.importance = importance;
        this.sample = sample;
    }

    /** Prepares the bundle, scoring the feature pipeline's sample rows (when it has any) with the booster. */
    public static BundleWriter prepare(SparkSession spark, Booster booster, Path featurePipeline, ModelMeta meta, Map<String, Double> importance)
            throws XGBoostError {
        return new BundleWriter(booster, featurePipeline, meta, importance, scoredSample(spark, featurePipeline, booster, meta));
    }

    /** Writes the bundle's files into {@code dir} (a staging directory the catalog publishes whole). */
    public void writeTo(Path dir) throws IOException, XGBoostError {
        booster.saveModel(dir.resolve(ModelBundle.BOOSTER_UBJ).toString());
        booster.saveModel(dir.resolve(ModelBundle.BOOSTER_JSON).toString());
        AtomicFiles.copyRecursively(featurePipeline, dir.resolve(ModelBundle.FEATURE_PIPELINE));
        AtomicFiles.deleteRecursively(dir.resolve(ModelBundle.FEATURE_PIPELINE).resolve(FeatureMeta.SAMPLE_DIR));
        if (sample != null) sample.coalesce(1).write().parquet(dir.resolve(ModelBundle.SCORING_SAMPLE).toString());
        Json.writeAtomically(dir.resolve(ModelBundle.META), meta);
        Json.writeAtomically(dir.resolve(ModelBundle.IMPORTANCE), importance);
    }

    /** The features step's sample of holdout rows, scored on the vectors built in this run: the expected scores. */
    private static Dataset<Row> scoredSample(SparkSession spark, Path featurePipeline, Booster booster, ModelMeta meta) throws XGBoostError {
        Path dir = featurePipeline.resolve(FeatureMeta.SAMPLE_DIR);
        if (!Files.isDirectory(dir)) return null;
        Dataset<Row> sample = spark.read().parquet(dir.toString());
        if (sample.isEmpty()) return null;
        boolean classes = Task.of(meta.objective()) == Task.MULTICLASS;
        Dataset<Row> scored = BundleScorer.predict(spark, sample, FeaturePipelineFactory.FEATURES, booster.toByteArray("ubj"), meta.featureNames().size(),
                meta.bestIteration() + 1, BundleScorer.Output.VALUE, classes, meta.calibration()).drop(FeaturePipelineFactory.FEATURES)
                .withColumnRenamed(BundleScorer.SCORE, ModelBundle.EXPECTED_SCORE);
        return classes ? scored.withColumnRenamed(BundleScorer.PROBABILITIES, ModelBundle.EXPECTED_PROBABILITIES) : scored;
    }
}
