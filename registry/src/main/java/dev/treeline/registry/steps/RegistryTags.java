package dev.treeline.registry.steps;

/** Names of the tags Treeline writes on model versions (documented in docs/registry.md). */
public final class RegistryTags {
    public static final String PIPELINE = "treeline.pipeline";
    public static final String PIPELINE_RUN_ID = "treeline.pipeline_run_id";
    public static final String LOGICAL_DATE = "treeline.logical_date";
    public static final String TRAIN_FROM = "treeline.data.train_from";
    public static final String TRAIN_TO = "treeline.data.train_to";
    public static final String HOLDOUT_FROM = "treeline.data.holdout_from";
    public static final String HOLDOUT_TO = "treeline.data.holdout_to";
    public static final String SPEC_HASH = "treeline.spec_hash";
    public static final String GIT_COMMIT = "treeline.git_commit";
    public static final String TREELINE_VERSION = "treeline.version.treeline";
    public static final String SPARK_VERSION = "treeline.version.spark";
    public static final String XGBOOST_VERSION = "treeline.version.xgboost";
    public static final String PROMOTION = "treeline.promotion";
    public static final String PROMOTION_REASON = "treeline.promotion_reason";
    public static final String PUBLISHED = "treeline.published";

    public static final String CHAMPION = "champion";
    public static final String CHALLENGER = "challenger";

    private RegistryTags() {}
}
