package dev.treeline.training.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.format.Task;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

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
        @JsonProperty("baseline_gbt_rounds") int baselineGbtRounds,
        @JsonProperty("num_class") int numClass,
        @JsonProperty("gamma") double gamma,
        @JsonProperty("validation_fraction") double validationFraction,
        @JsonProperty("checkpoint_rounds") int checkpointRounds,
        @JsonProperty("checkpoint_retries") int checkpointRetries,
        @JsonProperty("tune") TuneSpec tune,
        @JsonProperty("refit") boolean refit,
        @JsonProperty("calibrate") String calibrate,
        @JsonProperty("max_cat_to_onehot") int maxCatToOnehot,
        @JsonProperty("max_cat_threshold") int maxCatThreshold) {

    /** {@code scale_pos_weight: auto}: negatives / positives of the training rows, computed when the step runs. */
    public boolean autoScalePosWeight() {
        return scalePosWeight == null;
    }

    public Task task() {
        return Task.of(objective);
    }

    /** XGBoost parameters a {@code tune:} search may set, with the values of this spec. */
    static final List<String> TUNABLE = List.of("max_depth", "eta", "min_child_weight", "subsample", "colsample_bytree", "lambda", "alpha",
            "gamma", "max_bin", "max_cat_to_onehot", "max_cat_threshold");
    /** Of {@link #TUNABLE}, the ones that only matter with native categorical features. */
    static final List<String> CATEGORICAL = List.of("max_cat_to_onehot", "max_cat_threshold");

    /** A copy with tuned values in place of this spec's (names from {@link #TUNABLE}). */
    public TrainParams with(Map<String, Double> tuned) {
        BiFunction<String, Double, Double> v = (k, d) -> tuned.getOrDefault(k, d);
        return new TrainParams(objective, evalMetric, numRounds, earlyStoppingRounds, (int) Math.round(v.apply("max_depth", (double) maxDepth)),
                v.apply("eta", eta), v.apply("min_child_weight", minChildWeight), v.apply("subsample", subsample),
                v.apply("colsample_bytree", colsampleBytree), v.apply("lambda", lambda), v.apply("alpha", alpha),
                (int) Math.round(v.apply("max_bin", (double) maxBin)), treeMethod, numWorkers, nthread, seed, trackerTimeoutSeconds, device,
                scalePosWeight, baselines, baselineGbtRounds, numClass, v.apply("gamma", gamma), validationFraction, checkpointRounds,
                checkpointRetries, tune, refit, calibrate, (int) Math.round(v.apply("max_cat_to_onehot", (double) maxCatToOnehot)),
                (int) Math.round(v.apply("max_cat_threshold", (double) maxCatThreshold)));
    }

    /** A copy with another learning rate and round limit: the final fit's slower variant. */
    TrainParams withEtaAndRounds(double newEta, int rounds) {
        return new TrainParams(objective, evalMetric, rounds, earlyStoppingRounds, maxDepth, newEta, minChildWeight, subsample, colsampleBytree,
                lambda, alpha, maxBin, treeMethod, numWorkers, nthread, seed, trackerTimeoutSeconds, device, scalePosWeight, baselines,
                baselineGbtRounds, numClass, gamma, validationFraction, checkpointRounds, checkpointRetries, tune, refit, calibrate, maxCatToOnehot,
                maxCatThreshold);
    }

    /** The value of a {@link #TUNABLE} parameter in this spec. */
    double value(String name) {
        return switch (name) {
            case "max_depth" -> maxDepth;
            case "eta" -> eta;
            case "min_child_weight" -> minChildWeight;
            case "subsample" -> subsample;
            case "colsample_bytree" -> colsampleBytree;
            case "lambda" -> lambda;
            case "alpha" -> alpha;
            case "gamma" -> gamma;
            case "max_bin" -> maxBin;
            case "max_cat_to_onehot" -> maxCatToOnehot;
            case "max_cat_threshold" -> maxCatThreshold;
            default -> throw new IllegalArgumentException(name);
        };
    }

    static final List<String> TREE_METHODS = List.of("hist", "approx", "exact");
    static final List<String> DEVICES = List.of("cpu", "cuda");
    static final List<String> BASELINES = List.of("logistic_regression", "gbt");
    static final List<String> CALIBRATIONS = List.of("none", "isotonic", "platt");

    static TrainParams from(SpecNode n) {
        n.allowOnly("objective", "eval_metric", "num_rounds", "early_stopping_rounds", "max_depth", "eta", "min_child_weight",
                "subsample", "colsample_bytree", "lambda", "alpha", "max_bin", "tree_method", "num_workers", "nthread", "seed",
                "tracker_timeout_seconds", "device", "scale_pos_weight", "baselines", "baseline_gbt_rounds", "num_class", "gamma",
                "validation_fraction", "checkpoint_rounds", "checkpoint_retries", "tune", "refit", "calibrate", "max_cat_to_onehot",
                "max_cat_threshold");
        String objective = n.has("objective") ? n.require("objective").asEnum(Task.OBJECTIVES) : "binary:logistic";
        Task task = Task.of(objective);
        String defaultMetric = task == Task.BINARY ? "logloss" : task.evalMetrics().get(0);
        TrainParams p = new TrainParams(
                objective,
                n.has("eval_metric") ? n.require("eval_metric").asEnum(task.evalMetrics()) : defaultMetric,
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
                n.integer("baseline_gbt_rounds", 20, 1, 10_000),
                n.integer("num_class", 0, 0, 100_000),
                n.number("gamma", 0.0, 0.0, Double.MAX_VALUE),
                n.number("validation_fraction", 0.0, 0.0, 0.9),
                n.integer("checkpoint_rounds", 0, 0, 100_000),
                n.integer("checkpoint_retries", 2, 0, 100),
                n.has("tune") ? TuneSpec.from(n.require("tune")) : null,
                n.bool("refit", true),
                n.has("calibrate") ? n.require("calibrate").asEnum(CALIBRATIONS) : "none",
                n.integer("max_cat_to_onehot", 4, 1, 1024),
                n.integer("max_cat_threshold", 64, 1, 65_536));
        checkTask(n, p, task);
        if (p.eta == 0.0) throw n.require("eta").error("eta must be above 0");
        if (p.device.equals("cuda") && p.treeMethod.equals("exact")) {
            throw n.require("tree_method").error("tree_method: exact has no GPU implementation; use hist with device: cuda");
        }
        if (p.subsample == 0.0) throw n.require("subsample").error("subsample must be above 0");
        return p;
    }

    /** Parameters that only make sense for some tasks are refused elsewhere, naming the key. */
    private static void checkTask(SpecNode n, TrainParams p, Task task) {
        if (task == Task.MULTICLASS && p.numClass < 2) {
            throw (n.has("num_class") ? n.require("num_class") : n.require("objective"))
                    .error("objective multi:softprob needs num_class: the number of classes (labels 0 .. num_class-1), at least 2");
        }
        if (task != Task.MULTICLASS && n.has("num_class")) {
            throw n.require("num_class").error("num_class is for objective multi:softprob only; remove it");
        }
        if (task != Task.BINARY && n.has("scale_pos_weight")) {
            throw n.require("scale_pos_weight").error("scale_pos_weight is for objective binary:logistic only; weight rows with the feature spec's weight: instead");
        }
        if (task != Task.BINARY && !p.baselines.isEmpty()) {
            throw n.require("baselines").error("baselines are for objective binary:logistic only so far; remove them");
        }
        if (task == Task.MULTICLASS && p.checkpointRounds > 0) {
            throw n.require("checkpoint_rounds").error("checkpoint_rounds is not available with multi:softprob (XGBoost4J-Spark takes one base margin "
                    + "per row, a multiclass model needs one per class); remove it");
        }
        if (task != Task.BINARY && !p.calibrate.equals("none")) {
            throw n.require("calibrate").error("calibrate is for objective binary:logistic (probabilities); remove it");
        }
        if (!p.calibrate.equals("none") && p.earlyStoppingRounds == 0 && p.validationFraction == 0) {
            throw n.require("calibrate").error("calibrate fits on the validation rows' predictions; keep early_stopping_rounds above 0 (the validation rows) or set validation_fraction");
        }
        if (p.validationFraction > 0 && n.has("early_stopping_rounds") && p.earlyStoppingRounds == 0) {
            throw n.require("validation_fraction").error("validation_fraction sets rows aside for early stopping, which early_stopping_rounds: 0 turns off; remove one");
        }
    }

    private static List<String> baselines(SpecNode n) {
        if (!n.has("baselines")) return List.of();
        List<String> out = new ArrayList<>();
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
        if (numClass > 0) m.put("num_class", Integer.toString(numClass));
        m.put("gamma", Double.toString(gamma));
        if (validationFraction > 0) m.put("validation_fraction", Double.toString(validationFraction));
        if (checkpointRounds > 0) m.put("checkpoint_rounds", Integer.toString(checkpointRounds));
        m.put("refit", Boolean.toString(refit));
        m.put("max_cat_to_onehot", Integer.toString(maxCatToOnehot));
        m.put("max_cat_threshold", Integer.toString(maxCatThreshold));
        m.put("calibrate", calibrate);
        return m;
    }
}
