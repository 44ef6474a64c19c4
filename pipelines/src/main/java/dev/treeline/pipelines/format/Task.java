package dev.treeline.pipelines.format;

import java.util.List;
import java.util.Locale;

/** What a model predicts, decided by its XGBoost objective: how it is trained, scored and measured. */
public enum Task {
    BINARY(List.of("binary:logistic"), List.of("logloss", "auc", "aucpr", "error"), "auc", "AUC"),
    MULTICLASS(List.of("multi:softprob"), List.of("mlogloss", "merror"), "mlogloss", "multiclass log loss"),
    REGRESSION(List.of("reg:squarederror", "reg:absoluteerror", "reg:pseudohubererror"), List.of("rmse", "mae"), "rmse", "RMSE");

    /** Objectives Treeline trains, in the order they are listed in error messages. */
    public static final List<String> OBJECTIVES = List.of("binary:logistic", "multi:softprob", "reg:squarederror", "reg:absoluteerror",
            "reg:pseudohubererror");

    private final List<String> objectives;
    private final List<String> evalMetrics;
    private final String headline;
    private final String headlineTitle;

    Task(List<String> objectives, List<String> evalMetrics, String headline, String headlineTitle) {
        this.objectives = objectives;
        this.evalMetrics = evalMetrics;
        this.headline = headline;
        this.headlineTitle = headlineTitle;
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

    /** The headline metric's name for people, e.g. "AUC". */
    public String headlineTitle() {
        return headlineTitle;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
