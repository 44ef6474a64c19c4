package dev.treeline.training.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code tune:} of an xgboost_train step: which parameters to search, how, and for how long. The best
 * trial's parameters are used for the step's final fit.
 */
public record TuneSpec(
        @JsonProperty("method") String method,
        @JsonProperty("trials") int trials,
        @JsonProperty("time_budget_minutes") double timeBudgetMinutes,
        @JsonProperty("parallelism") int parallelism,
        @JsonProperty("startup_trials") int startupTrials,
        @JsonProperty("prune") boolean prune,
        @JsonProperty("seed") long seed,
        @JsonProperty("space") List<Dimension> space) {

    static final List<String> METHODS = List.of("tpe", "random");

    /** One searched parameter: integers or reals, uniform or log-uniform between low and high inclusive. */
    public record Dimension(@JsonProperty("name") String name, @JsonProperty("scale") String scale,
                            @JsonProperty("low") double low, @JsonProperty("high") double high) {
        static final List<String> SCALES = List.of("int", "uniform", "log");

        boolean isInt() {
            return scale.equals("int");
        }

        boolean isLog() {
            return scale.equals("log");
        }

        /** Maps a value to the space the search works in: log for log scales. */
        double toInternal(double v) {
            return isLog() ? Math.log(v) : v;
        }

        double fromInternal(double x) {
            double v = isLog() ? Math.exp(x) : x;
            v = Math.max(low, Math.min(high, v));
            return isInt() ? Math.round(v) : v;
        }

        double internalLow() {
            return toInternal(low);
        }

        double internalHigh() {
            return toInternal(high);
        }
    }

    /**
     * The space searched when the spec names none: the parameters that matter most for gradient boosting, on
     * the scales they act on (learning rate and regularisation log-uniform), and the native-categorical split
     * settings, which the search drops when the features have no native categoricals.
     */
    static final List<Dimension> DEFAULT_SPACE = List.of(
            new Dimension("max_depth", "int", 3, 10),
            new Dimension("eta", "log", 0.01, 0.3),
            new Dimension("min_child_weight", "log", 0.5, 20),
            new Dimension("subsample", "uniform", 0.5, 1.0),
            new Dimension("colsample_bytree", "uniform", 0.5, 1.0),
            new Dimension("lambda", "log", 0.1, 10),
            new Dimension("alpha", "log", 0.001, 10),
            new Dimension("gamma", "log", 0.001, 5),
            new Dimension("max_cat_to_onehot", "int", 1, 16),
            new Dimension("max_cat_threshold", "int", 8, 64));

    static TuneSpec from(SpecNode n) {
        n.allowOnly("method", "trials", "time_budget_minutes", "budget_minutes", "parallelism", "startup_trials", "prune", "seed", "space");
        if (n.has("time_budget_minutes") && n.has("budget_minutes")) {
            throw n.require("budget_minutes").error("budget_minutes and time_budget_minutes are the same setting; keep one");
        }
        String budgetKey = n.has("budget_minutes") ? "budget_minutes" : "time_budget_minutes";
        List<Dimension> space = DEFAULT_SPACE;
        if (n.has("space")) {
            space = new ArrayList<>();
            for (Map.Entry<String, SpecNode> e : n.require("space").asMap().entrySet()) space.add(dimension(e.getKey(), e.getValue()));
            if (space.isEmpty()) throw n.require("space").error("space is empty; name at least one parameter, e.g. eta: {log: [0.01, 0.3]}");
        }
        TuneSpec t = new TuneSpec(
                n.has("method") ? n.require("method").asEnum(METHODS) : "tpe",
                // With a time budget and no trial count, trials run until the budget is spent.
                n.integer("trials", n.has(budgetKey) && !n.has("trials") ? 10_000 : 20, 1, 10_000),
                n.number(budgetKey, 0, 0, 100_000),
                n.integer("parallelism", 1, 1, 1024),
                n.integer("startup_trials", 8, 1, 10_000),
                n.bool("prune", true),
                n.integer("seed", 0, 0, Integer.MAX_VALUE),
                List.copyOf(space));
        return t;
    }

    private static Dimension dimension(String name, SpecNode n) {
        if (!TrainParams.TUNABLE.contains(name)) {
            throw n.error("cannot tune '" + name + "'; tunable parameters are " + TrainParams.TUNABLE);
        }
        if (!n.isMap() || n.keys().size() != 1) {
            throw n.error("write " + name + ": {int: [low, high]}, {uniform: [low, high]} or {log: [low, high]}");
        }
        String scale = n.keys().iterator().next();
        SpecNode range = n.require(scale);
        if (!Dimension.SCALES.contains(scale)) throw range.error("unknown scale '" + scale + "'; expected one of " + Dimension.SCALES);
        List<SpecNode> bounds = range.isList() ? range.asList() : List.of();
        if (bounds.size() != 2) throw range.error(name + ": give [low, high]");
        double low = bounds.get(0).asDouble(-Double.MAX_VALUE, Double.MAX_VALUE);
        double high = bounds.get(1).asDouble(-Double.MAX_VALUE, Double.MAX_VALUE);
        if (!(low < high)) throw range.error(name + ": low " + low + " must be below high " + high);
        if (scale.equals("log") && low <= 0) throw range.error(name + ": a log scale needs low above 0");
        return new Dimension(name, scale, low, high);
    }
}
