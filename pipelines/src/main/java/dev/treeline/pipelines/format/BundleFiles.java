package dev.treeline.pipelines.format;

/**
 * The names inside a model bundle directory, for the training step that writes it and for everything that
 * reads it (evaluation, registration, serving files, the S3 manifest, scoring).
 */
public final class BundleFiles {
    /** The native booster in XGBoost's UBJ format: what scoring loads. */
    public static final String BOOSTER_UBJ = "model.ubj";
    /** The same booster as JSON, for people and other runtimes. */
    public static final String BOOSTER_JSON = "model.json";
    /** The fitted Spark ML feature pipeline (a PipelineModel directory). */
    public static final String FEATURE_PIPELINE = "feature_pipeline";
    /** {@link ModelMeta} as JSON. */
    public static final String META = "treeline-model.json";
    public static final String IMPORTANCE = "feature_importance.json";
    /** Holdout rows as the pipeline receives them (PII already guarded) with the score the run itself computed. */
    public static final String SCORING_SAMPLE = "scoring_sample";
    /** The column of {@link #SCORING_SAMPLE} with that score. */
    public static final String EXPECTED_SCORE = "expected_score";
    /** Multiclass models: the class probabilities the run computed for each sample row. */
    public static final String EXPECTED_PROBABILITIES = "expected_probabilities";

    private BundleFiles() {}
}
