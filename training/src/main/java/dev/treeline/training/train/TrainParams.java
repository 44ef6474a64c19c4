package dev.treeline.training.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code params:} of an xgboost_train step. Names follow XGBoost's own parameter names. */
public record TrainParams(
        @JsonProperty("objective") String objective,
        @JsonProperty("eval_metric") String evalMetric,
        @JsonProperty("num_rounds") int numRounds,
        @JsonProperty("early_stopping_rounds") int earlyStoppingRounds,
        @JsonProperty("max_depth") int maxDepth,
        @JsonProperty("eta") double eta,
        @JsonProperty("min_child_weight") double minChildWeight,
        @JsonProperty("subsample") double subsample,
        @JsonProperty("colsample_bytree") double colsampleBytree,
        @JsonProperty("lambda") double lambda,
        @JsonProperty("alpha") double alpha,
        @JsonProperty("max_bin") int maxBin,
        @JsonProperty("tree_method") String treeMethod,
        @JsonProperty("num_workers") int numWorkers,
        @JsonProperty("nthread") int nthread,
        @JsonProperty("seed") long seed,
        @JsonProperty("tracker_timeout_seconds") int trackerTimeoutSeconds,
        @JsonProperty("device") String device,
        @JsonProperty("scale_pos_weight") Double scalePosWeight,
        @JsonProperty("baselines") List<String> baselines,
        @JsonProperty("baseline_gbt_rounds") int baselineGbtRounds) {

    /** {@code scale_pos_weight: auto}: negatives / positives of the training rows, computed when the step runs. */
    public boolean autoScalePosWeight() {
        return scalePosWeight == null;
    }

    static final List<String> OBJECTIVES = List.of("binary:logistic");
    static final List<String> METRICS = List.of("logloss", "auc", "error");
    static final List<String> TREE_METHODS = List.of("hist", "approx", "exact");
    static final List<String> DEVICES = List.of("cpu", "cuda");
    static final List<String> BASELINES = List.of("logistic_regression", "gbt");

    static TrainParams from(SpecNode n) {
        n.allowOnly("objective", "eval_metric", "num_rounds", "early_stopping_rounds", "max_depth", "eta", "min_child_weight",
                "subsample", "colsample_bytree", "lambda", "alpha", "max_bin", "tree_method", "num_workers", "nthread", "seed",
                "tracker_timeout_seconds", "device", "scale_pos_weight", "baselines", "baseline_gbt_rounds");
        TrainParams p = new TrainParams(
                n.has("objective") ? n.require("objective").asEnum(OBJECTIVES) : "binary:logistic",
                n.has("eval_metric") ? n.require("eval_metric").asEnum(METRICS) : "logloss",
                n.integer("num_rounds", 100, 1, 100_000),
                n.integer("early_stopping_rounds", 10, 0, 100_000),
                n.integer("max_depth", 6, 0, 64),
                n.number("eta", 0.3, 0.0, 1.0),
                n.number("min_child_weight", 1.0, 0.0, Double.MAX_VALUE),
                n.number("subsample", 1.0, 0.0, 1.0),
                n.number("colsample_bytree", 1.0, 0.0, 1.0),
                n.number("lambda", 1.0, 0.0, Double.MAX_VALUE),
                n.number("alpha", 0.0, 0.0, Double.MAX_VALUE),
                n.integer("max_bin", 256, 2, 65_536),
                n.has("tree_method") ? n.require("tree_method").asEnum(TREE_METHODS) : "hist",
                n.integer("num_workers", 0, 0, 10_000),
                n.integer("nthread", 0, 0, 1024),
                n.integer("seed", 0, 0, Integer.MAX_VALUE),
                n.integer("tracker_timeout_seconds", 60, 1, 86_400),
                n.has("device") ? n.require("device").asEnum(DEVICES) : "cpu",
                scalePosWeight(n),
                baselines(n),
                n.integer("baseline_gbt_rounds", 20, 1, 10_000));
        if (p.eta == 0.0) throw n.require("eta").error("eta must be above 0");
        if (p.device.equals("cuda") && p.treeMethod.equals("exact")) {
            throw n.require("tree_method").error("tree_method: exact has no GPU implementation; use hist with device: cuda");
        }
        if (p.subsample == 0.0) throw n.require("subsample").error("subsample must be above 0");
        return p;
    }

    private static List<String> baselines(SpecNode n) {
        if (!n.has("baselines")) return List.of();
        List<String> out = new java.util.ArrayList<>();
        for (SpecNode b : n.require("baselines").asList()) out.add(b.asEnum(BASELINES));
        return List.copyOf(out);
    }

    private static Double scalePosWeight(SpecNode n) {
        if (!n.has("scale_pos_weight")) return 1.0;
        SpecNode v = n.require("scale_pos_weight");
        if (!v.isMap() && !v.isList() && "auto".equals(v.asString())) return null;
        double w = v.asDouble(0, 1e9);
        if (w == 0) throw v.error("scale_pos_weight must be above 0 (or auto: negatives / positives of the training rows)");
        return w;
    }

    /** Flat map for MLflow params. */
    public Map<String, String> asParams() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("objective", objective);
        m.put("eval_metric", evalMetric);
        m.put("num_rounds", Integer.toString(numRounds));
        m.put("early_stopping_rounds", Integer.toString(earlyStoppingRounds));
        m.put("max_depth", Integer.toString(maxDepth));
        m.put("eta", Double.toString(eta));
        m.put("min_child_weight", Double.toString(minChildWeight));
        m.put("subsample", Double.toString(subsample));
        m.put("colsample_bytree", Double.toString(colsampleBytree));
        m.put("lambda", Double.toString(lambda));
        m.put("alpha", Double.toString(alpha));
        m.put("max_bin", Integer.toString(maxBin));
        m.put("tree_method", treeMethod);
        m.put("num_workers", numWorkers == 0 ? "auto" : Integer.toString(numWorkers));
        m.put("nthread", nthread == 0 ? "auto" : Integer.toString(nthread));
        m.put("seed", Long.toString(seed));
        m.put("device", device);
        m.put("scale_pos_weight", scalePosWeight == null ? "auto" : Double.toString(scalePosWeight));
        if (!baselines.isEmpty()) m.put("baselines", String.join(",", baselines));
        return m;
    }
}
