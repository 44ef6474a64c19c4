package dev.treeline.training.bundle;

import java.util.List;

/** What a model predicts, decided by its XGBoost objective: how it is trained, scored and measured. */
public enum Task {
    BINARY(List.of("binary:logistic"), List.of("logloss", "auc", "aucpr", "error"), "auc", true),
    MULTICLASS(List.of("multi:softprob"), List.of("mlogloss", "merror"), "mlogloss", false),
    REGRESSION(List.of("reg:squarederror", "reg:absoluteerror", "reg:pseudohubererror"), List.of("rmse", "mae"), "rmse", false);

    /** Objectives Treeline trains, in the order they are listed in error messages. */
    public static final List<String> OBJECTIVES = List.of("binary:logistic", "multi:softprob", "reg:squarederror", "reg:absoluteerror",
            "reg:pseudohubererror");

    private final List<String> objectives;
    private final List<String> evalMetrics;
    private final String headline;
    private final boolean headlineHigherIsBetter;

    Task(List<String> objectives, List<String> evalMetrics, String headline, boolean headlineHigherIsBetter) {
        this.objectives = objectives;
        this.evalMetrics = evalMetrics;
        this.headline = headline;
        this.headlineHigherIsBetter = headlineHigherIsBetter;
    }

    public static Task of(String objective) {
        for (Task t : values()) if (t.objectives.contains(objective)) return t;
        throw new IllegalArgumentException("unknown objective '" + objective + "'; expected one of " + OBJECTIVES);
    }

    /** XGBoost eval_metric values that make sense for this task; the first is the default. */
    public List<String> evalMetrics() {
        return evalMetrics;
    }

    /** The holdout metric with a bootstrap interval: AUC, multiclass log loss, or RMSE. */
    public String headline() {
        return headline;
    }

    public boolean headlineHigherIsBetter() {
        return headlineHigherIsBetter;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
