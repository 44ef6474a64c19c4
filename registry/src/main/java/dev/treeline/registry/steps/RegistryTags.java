package dev.treeline.registry.steps;

import java.util.Set;

/** Names of the tags Treeline writes on model versions (documented in docs/registry.md). */
public final class RegistryTags {
    /** The longest tag value Treeline writes: MLflow refuses longer ones. */
    public static final int VALUE_MAX = 5000;

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
    public static final String DATA_SNAPSHOT = "treeline.data_snapshot";
    public static final String FEATURE_SNAPSHOT = "treeline.feature_snapshot";
    /** Set by the monitor step when a served version breaches a decay rule: the day, then the rule. */
    public static final String DECAYED = "treeline.decayed";
    public static final String DECAY_REASON = "treeline.decay_reason";
    /** Prefix of the holdout metric tags, e.g. {@code treeline.holdout_auc}. */
    public static final String HOLDOUT_METRIC_PREFIX = "treeline.holdout_";

    // The gate's outcome and the approval, as the issue tracker and reviewers name them (no prefix).
    public static final String VALIDATION_STATUS = "validation_status";
    public static final String VALIDATION_REASONS = "validation_reasons";
    public static final String VALIDATION_METRIC = "validation_metric";
    public static final String APPROVAL_STATUS = "approval_status";
    public static final String APPROVAL_BY = "approval_by";
    public static final String APPROVAL_AT = "approval_at";
    public static final String APPROVAL_COMMENT = "approval_comment";
    public static final String PROMOTED_AT = "treeline.promoted_at";
    public static final String ROLLED_BACK_AT = "treeline.rolled_back_at";
    public static final String AB = "treeline.ab";
    /** Registered-model tag: where serving's files live, {@code s3://bucket/prefix}, set by the push step. */
    public static final String SERVING_LOCATION = "treeline.serving_location";

    /**
     * The lineage a reviewer needs in the registry's versions table, kept on the version: which day, which
     * data, which features, which code. The rest of {@link #LINEAGE} is tagged on the version's run, so the
     * table stays readable; {@link dev.treeline.registry.review.VersionLineage} reads both.
     */
    public static final Set<String> ON_VERSION = Set.of(LOGICAL_DATE, DATA_SNAPSHOT, FEATURE_SNAPSHOT, GIT_COMMIT);

    /** Lineage keys, on the version or its run, copied into a published manifest's lineage. */
    public static final Set<String> LINEAGE = Set.of(PIPELINE, PIPELINE_RUN_ID, LOGICAL_DATE, TRAIN_FROM, TRAIN_TO, HOLDOUT_FROM,
            HOLDOUT_TO, SPEC_HASH, GIT_COMMIT, TREELINE_VERSION, SPARK_VERSION, XGBOOST_VERSION, DATA_SNAPSHOT, FEATURE_SNAPSHOT);

    public static final String CHAMPION = "champion";
    public static final String CHALLENGER = "challenger";
    public static final String PREVIOUS = "previous";

    private RegistryTags() {}
}
