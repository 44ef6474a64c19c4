package dev.treeline.registry.review;

import dev.treeline.pipelines.spec.SpecNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The promotion gate from the promote step's params: the primary metric and the least improvement,
 * whether the paired 95% interval of the difference must exclude zero, guard metrics that may not
 * regress by more than a margin, and a guard on every slice with enough rows.
 *
 * @param metric primary metric, or null for the evaluation's headline metric
 */
public record GateRules(String metric, double minImprovement, boolean significance, Map<String, Double> guards, SliceGuard sliceGuard) {
    public static final List<String> METRICS = List.of("auc", "pr_auc", "logloss", "brier", "f1", "rmse", "mae", "r2", "mlogloss", "accuracy",
            "macro_f1");

    /** No slice with at least {@code minRows} rows may lose more than {@code maxRegression} of {@code metric} (null: the primary). */
    public record SliceGuard(String metric, double maxRegression, long minRows) {}

    public static GateRules parse(SpecNode p) {
        String metric = p.has("metric") ? p.require("metric").asEnum(METRICS) : null;
        Map<String, Double> guards = new LinkedHashMap<>();
        if (p.has("guards")) {
            for (Map.Entry<String, SpecNode> g : p.require("guards").asMap().entrySet()) {
                if (!METRICS.contains(g.getKey())) {
                    throw g.getValue().error("guards names '" + g.getKey() + "'; expected one of " + METRICS);
                }
                guards.put(g.getKey(), g.getValue().asDouble(0, Double.MAX_VALUE));
            }
        }
        SliceGuard slices = null;
        if (p.has("slice_guard")) {
            SpecNode s = p.require("slice_guard").allowOnly("metric", "max_regression", "min_rows");
            slices = new SliceGuard(s.has("metric") ? s.require("metric").asEnum(List.of("auc", "logloss", "rmse", "mae", "accuracy", "mlogloss")) : null,
                    s.number("max_regression", 0.0, 0.0, Double.MAX_VALUE), s.integer("min_rows", 200, 1, Integer.MAX_VALUE));
            if (!s.has("max_regression")) throw s.error("slice_guard needs max_regression (the largest loss of the metric allowed in any slice)");
        }
        return new GateRules(metric, p.number("min_improvement", 0.0, 0.0, 1e9), p.bool("significance", true), guards, slices);
    }
}
