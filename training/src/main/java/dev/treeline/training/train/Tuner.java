package dev.treeline.training.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.features.build.FeatureMeta;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.tracking.Tracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Searches XGBoost parameters on the train rows, scoring each trial by its best validation metric
 * (early stopping on the validation rows). Trial 0 is the spec's own parameters, the start to beat;
 * then random or TPE proposals, several at once when {@code parallelism} allows (each with its share of
 * the task slots). A trial whose metric after a quarter of the rounds is worse than the median of the
 * finished trials at that round is pruned (the median stopping rule). Every trial is a nested tracking
 * run with its parameters and validation curve.
 */
final class Tuner {
    record Trial(@JsonProperty("number") int number, @JsonProperty("params") Map<String, Double> params, @JsonProperty("state") String state,
                 @JsonProperty("validation") double validation, @JsonProperty("best_iteration") int bestIteration,
                 @JsonProperty("seconds") double seconds, @JsonProperty("history") double[] history, @JsonProperty("error") String error,
                 @JsonProperty("fold_values") double[] foldValues) {}

    /** Rows to fit on and rows to stop early on: the one train/validation pair, or each cross-validation fold. */
    record Fold(Dataset<Row> train, Dataset<Row> validation) {}

    record Outcome(@JsonProperty("metric") String metric, @JsonProperty("maximize") boolean maximize, @JsonProperty("method") String method,
                   @JsonProperty("trials") List<Trial> trials, @JsonProperty("best") Trial best) {
        long count(String state) {
            return trials.stream().filter(t -> t.state().equals(state)).count();
        }
    }

    static final String COMPLETE = "complete";
    static final String PRUNED = "pruned";
    static final String FAILED = "failed";

    private final TuneSpec spec;
    private final TrainParams base;
    private final WorkerPlan plan;
    private final FeatureMeta features;
    private final double scalePosWeight;
    private final boolean weighted;
    private final Tracker parent;
    private final Progress progress;
    private final boolean maximize;
    private final ParamSampler sampler;
    private final List<TuneSpec.Dimension> space;
    private final List<Trial> finished = new ArrayList<>();

    Tuner(TuneSpec spec, TrainParams base, WorkerPlan plan, FeatureMeta features, double scalePosWeight, boolean weighted, Tracker parent, Progress progress) {
        this.spec = spec;
        this.base = base;
        this.plan = plan;
        this.features = features;
        this.scalePosWeight = scalePosWeight;
        this.weighted = weighted;
        this.parent = parent;
        this.progress = progress;
        this.maximize = XGBoostFit.maximize(base.evalMetric());
        // Categorical split settings change nothing without native categorical features: not searched then.
        this.space = features.hasCategorical() ? spec.space()
                : spec.space().stream().filter(d -> !TrainParams.CATEGORICAL.contains(d.name())).toList();
        this.sampler = new ParamSampler(space, spec.seed());
    }

    /** The dimensions searched: the spec's, less the categorical ones when there are no native categoricals. */
    List<TuneSpec.Dimension> space() {
        return space;
    }

    Outcome search(Dataset<Row> train, Dataset<Row> validation) throws Exception {
        return search(List.of(new Fold(train, validation)));
    }

    /** With several folds a trial fits each and scores the mean of their best validation values. */
    Outcome search(List<Fold> folds) throws Exception {
        long deadline = spec.timeBudgetMinutes() > 0 ? System.nanoTime() + (long) (spec.timeBudgetMinutes() * 60e9) : Long.MAX_VALUE;
        // Trials at once share the workers; a whole-process worker's cores become one-thread workers.
        int parallel = Math.max(1, Math.min(spec.parallelism(), plan.numWorkers() * plan.nthread()));
        WorkerPlan trialPlan = parallel == 1 ? plan
                : plan.wholeProcess() ? new WorkerPlan(Math.max(1, plan.nthread() / parallel), 1)
                : new WorkerPlan(Math.max(1, plan.numWorkers() / parallel), plan.nthread());
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "treeline-tune");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                workers.add(pool.submit(() -> {
                    while (true) {
                        int n = next.getAndIncrement();
                        if (n >= spec.trials() || System.nanoTime() > deadline) return null;
                        record(runTrial(n, propose(n), trialPlan, folds));
                    }
                }));
            }
            for (Future<?> f : workers) f.get();
        } finally {
            pool.shutdownNow();
        }
        List<Trial> trials;
        synchronized (finished) {
            trials = new ArrayList<>(finished);
        }
        trials.sort(Comparator.comparingInt(Trial::number));
        progress.endStatus("tuning");
        Trial best = trials.stream().filter(t -> t.state().equals(COMPLETE)).min(Comparator.comparingDouble(this::loss)).orElse(null);
        if (best == null) {
            String first = trials.stream().map(Trial::error).filter(Objects::nonNull).findFirst().orElse("no trial ran");
            throw TreelineException.data("tuning: none of " + trials.size() + " trials completed; the first failure: " + first);
        }
        long pruned = trials.stream().filter(t -> !t.state().equals(COMPLETE)).count();
        progress.detail(String.format("tuning: %d trials (%d stopped early or failed), best validation %s %.5f in trial %d: %s", trials.size(), pruned,
                base.evalMetric(), best.validation(), best.number(), best.params()));
        return new Outcome(base.evalMetric(), maximize, spec.method(), List.copyOf(trials), best);
    }

    private double loss(Trial t) {
        return Double.isNaN(t.validation()) ? Double.POSITIVE_INFINITY : maximize ? -t.validation() : t.validation();
    }

    /** Trial 0 is the spec's parameters; later ones come from the sampler, given the trials finished so far. */
    private Map<String, Double> propose(int n) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (n == 0) {
            for (TuneSpec.Dimension d : space) out.put(d.name(), base.value(d.name()));
            return out;
        }
        synchronized (finished) {
            if (spec.method().equals("random")) return sampler.random();
            List<ParamSampler.Observation> obs = new ArrayList<>();
            for (Trial t : finished) {
                if (t.state().equals(FAILED)) continue;
                Map<String, Double> clipped = new LinkedHashMap<>();
                for (TuneSpec.Dimension d : space) clipped.put(d.name(), d.fromInternal(d.toInternal(Math.max(d.low(), t.params().get(d.name())))));
                obs.add(new ParamSampler.Observation(clipped, loss(t)));
            }
            return sampler.tpe(obs, spec.startupTrials());
        }
    }

    private void record(Trial t) {
        synchronized (finished) {
            finished.add(t);
            Trial best = finished.stream().filter(x -> x.state().equals(COMPLETE)).min(Comparator.comparingDouble(this::loss)).orElse(null);
            progress.status("tuning", String.format("tuning trial %d/%d%s", finished.size(), spec.trials(),
                    best == null ? "" : String.format(" · best validation %s %.5f (trial %d)", base.evalMetric(), best.validation(), best.number())),
                    (double) finished.size() / spec.trials());
        }
    }

    private Trial runTrial(int n, Map<String, Double> values, WorkerPlan trialPlan, List<Fold> folds) {
        Dataset<Row> train = folds.get(0).train();
        Dataset<Row> validation = folds.get(0).validation();
        TrainParams p = base.with(values);
        Map<String, String> tags = Map.of("treeline.tuning_trial", Integer.toString(n));
        Tracker run = parent.child("trial-" + n, tags);
        long start = System.nanoTime();
        String state = COMPLETE;
        XGBoostFit.Result r = null;
        try {
            Map<String, String> params = new LinkedHashMap<>();
            values.forEach((k, v) -> params.put(k, Double.toString(v)));
            params.put("trial", Integer.toString(n));
            run.logParams(params);
            int pruneRounds = Math.max(1, base.numRounds() / 4);
            double median = pruneMedian(pruneRounds);
            if (!Double.isNaN(median) && pruneRounds < base.numRounds()) {
                XGBoostFit.Result early = XGBoostFit.fit(train, validation, p, trialPlan, features, scalePosWeight, pruneRounds, weighted, false, p.seed());
                double at = bestSoFar(early.validationHistory(), pruneRounds);
                if (maximize ? at < median : at > median) {
                    r = early;
                    state = PRUNED;
                } else {
                    early.booster().dispose();
                }
            }
            if (r == null) r = XGBoostFit.fit(train, validation, p, trialPlan, features, scalePosWeight, base.numRounds(), weighted, false, p.seed());
            double value = state.equals(PRUNED) ? bestSoFar(r.validationHistory(), pruneRounds) : r.bestValidation();
            double[] foldValues = new double[] {value};
            int bestIteration = r.bestIteration();
            if (state.equals(COMPLETE) && folds.size() > 1) {
                // Pruning judged the first fold; a trial that survives is measured on every fold.
                foldValues = new double[folds.size()];
                foldValues[0] = value;
                double iterations = r.bestIteration();
                for (int k = 1; k < folds.size(); k++) {
                    XGBoostFit.Result f = XGBoostFit.fit(folds.get(k).train(), folds.get(k).validation(), p, trialPlan, features, scalePosWeight,
                            base.numRounds(), weighted, false, p.seed());
                    foldValues[k] = f.bestValidation();
                    iterations += f.bestIteration();
                    f.booster().dispose();
                }
                value = Arrays.stream(foldValues).average().orElse(Double.NaN);
                bestIteration = (int) Math.round(iterations / folds.size());
            }
            run.logMetricHistory("validation_" + base.evalMetric(), r.validationHistory());
            run.logMetrics(Map.of("best_validation_" + base.evalMetric(), value, "best_iteration", (double) r.bestIteration(),
                    "pruned", state.equals(PRUNED) ? 1.0 : 0.0, "trial_seconds", (System.nanoTime() - start) / 1e9));
            run.end(true);
            return new Trial(n, values, state, value, bestIteration, (System.nanoTime() - start) / 1e9, r.validationHistory(), null, foldValues);
        } catch (TreelineException e) {
            run.end(false);
            throw e;
        } catch (Exception e) {
            run.setTags(Map.of("treeline.error", String.valueOf(e.getMessage())));
            run.end(false);
            return new Trial(n, values, FAILED, Double.NaN, -1, (System.nanoTime() - start) / 1e9, new double[0], String.valueOf(e.getMessage()), null);
        } finally {
            if (r != null) r.booster().dispose();
        }
    }

    /** The median, over finished complete trials, of the best metric in their first {@code rounds} rounds; NaN below 3 trials. */
    private double pruneMedian(int rounds) {
        if (!spec.prune()) return Double.NaN;
        double[] values;
        synchronized (finished) {
            values = finished.stream().filter(t -> t.state().equals(COMPLETE) && t.history().length > 0)
                    .mapToDouble(t -> bestSoFar(t.history(), rounds)).toArray();
        }
        if (values.length < 3) return Double.NaN;
        Arrays.sort(values);
        int m = values.length / 2;
        return values.length % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
    }

    private double bestSoFar(double[] history, int rounds) {
        double best = Double.NaN;
        for (int i = 0; i < Math.min(rounds, history.length); i++) {
            if (Double.isNaN(best) || (maximize ? history[i] > best : history[i] < best)) best = history[i];
        }
        return best;
    }
}
