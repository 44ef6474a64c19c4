package dev.treeline.training.train;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.features.spec.FeatureColumn;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.Versions;
import dev.treeline.pipelines.format.ModelMeta;
import dev.treeline.pipelines.format.Task;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import dev.treeline.training.bundle.BundleScorer;
import dev.treeline.training.bundle.BundleWriter;
import dev.treeline.pipelines.format.Calibration;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * Trains XGBoost on the train days with XGBoost's distributed training ({@link XGBoostFit}), optionally
 * after a parameter search ({@link Tuner}) and in checkpointed segments ({@link CheckpointedTraining}),
 * stopping early on the validation rows, and writes a model bundle ({@link BundleWriter}).
 */
final class TrainStep implements Step {
    static final String MULTICLASS_TARGET_ENCODING = "the feature spec target-encodes a column, which encodes the mean label: meaningless for "
            + "the classes of multi:softprob; use encode: index or native";

    private final TrainParams params;
    /** Cross-validation folds of the pipeline's row split (0: none). */
    private final int folds;

    @Override
    public int concurrentTasks() {
        return params.numWorkers();
    }

    TrainStep(TrainParams params, int folds) {
        this.params = params;
        this.folds = folds;
    }

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        WorkerPlan plan = WorkerResources.check(ctx, params);
        try (WorkerPartitions partitions = new WorkerPartitions(ctx.spark(), plan.numWorkers())) {
            return run(ctx, plan);
        }
    }

    private StepResult run(StepContext ctx, WorkerPlan plan) throws Exception {
        Dataset<Row> all = ctx.catalog().read(ctx.input(0));
        Path pipelineDir = ctx.catalog().directory(ctx.input(1));
        FeatureMeta features = FeatureMeta.read(pipelineDir);
        Task task = params.task();
        boolean weighted = List.of(all.columns()).contains(XGBoostFit.WEIGHT);
        Dataset<Row> train = all.filter(functions.col("split").equalTo(DateWindow.TRAIN));
        Dataset<Row> validation = all.filter(functions.col("split").equalTo(DateWindow.VALIDATION));
        Dataset<Row> marked = null;
        List<Tuner.Fold> cvFolds = null;
        if (folds > 0) {
            // Every non-holdout row trains the shipped model; the folds choose its parameters and rounds.
            marked = all.filter(functions.col("split").notEqual(DateWindow.HOLDOUT)).persist(StorageLevel.MEMORY_AND_DISK());
            train = marked;
            cvFolds = new java.util.ArrayList<>();
            for (int k = 0; k < folds; k++) {
                cvFolds.add(new Tuner.Fold(marked.filter(functions.col(FeaturePipelineFactory.FOLD).notEqual(k)), marked.filter(functions.col(FeaturePipelineFactory.FOLD).equalTo(k))));
            }
            validation = cvFolds.get(0).validation();
        } else if (params.validationFraction() > 0) {
            // A stratified random share of the train days instead of the validation days.
            marked = ValidationSplit.mark(train, FeaturePipelineFactory.LABEL, params.validationFraction(), params.seed(), task != Task.REGRESSION)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            train = marked.filter(functions.not(functions.col(ValidationSplit.FLAG))).drop(ValidationSplit.FLAG);
            validation = marked.filter(functions.col(ValidationSplit.FLAG)).drop(ValidationSplit.FLAG);
        }
        try {
            return train(ctx, plan, all, train, validation, cvFolds, features, pipelineDir, weighted);
        } finally {
            if (marked != null) marked.unpersist();
        }
    }

    private StepResult train(StepContext ctx, WorkerPlan plan, Dataset<Row> all, Dataset<Row> train, Dataset<Row> validation, List<Tuner.Fold> cvFolds,
                             FeatureMeta features, Path pipelineDir, boolean weighted) throws Exception {
        Task task = params.task();
        LabelCheck.check(train, FeaturePipelineFactory.LABEL, task, params.numClass(), features.label());
        boolean earlyStopping = params.earlyStoppingRounds() > 0;
        if (earlyStopping && validation.isEmpty()) {
            throw TreelineException.data(params.validationFraction() > 0
                    ? "validation_fraction " + params.validationFraction() + " of the train days left no validation rows; raise it or add train days"
                    : "no validation rows between " + ctx.window().validationFrom() + " and " + ctx.window().validationTo()
                    + " for early stopping; set early_stopping_rounds: 0, widen window.validation_days, or set validation_fraction");
        }
        if (task == Task.MULTICLASS && targetEncodes(pipelineDir)) {
            // A feature pipeline from outside this spec (the load-time check saw no features step writing it).
            throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': " + MULTICLASS_TARGET_ENCODING);
        }
        double scalePosWeight = task != Task.BINARY ? 1.0 : params.autoScalePosWeight() ? balance(train) : params.scalePosWeight();
        Dataset<Row> eval = earlyStopping ? validation : null;

        Map<String, String> logged = new LinkedHashMap<>();
        TrainParams p = params;
        Tuner.Outcome tuning = null;
        if (params.tune() != null) {
            ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": tuning");
            ctx.progress().status("tuning", String.format("tuning: %s, %d trials%s, %d at a time", params.tune().method(), params.tune().trials(),
                    params.tune().timeBudgetMinutes() > 0 ? " or " + params.tune().timeBudgetMinutes() + " min" : "", params.tune().parallelism()), 0.0);
            Tuner tuner = new Tuner(params.tune(), params, plan, features, scalePosWeight, weighted, ctx.tracker(), ctx.progress());
            tuning = cvFolds != null ? tuner.search(cvFolds) : tuner.search(train, eval);
            p = params.with(tuning.best().params());
            ctx.tracker().logArtifacts(ctx.catalog().writeJson(ctx.output(1), tuning), "tuning");
            Path report = ctx.scratchDir().resolve("tuning-report");
            TuningReport.write(report, tuning, tuner.space());
            ctx.tracker().logArtifacts(report, "tuning");
            ctx.tracker().logMetricHistory("tune_best_so_far_" + p.evalMetric(), TuningReport.bestSoFar(tuning));
            Map<String, Double> importance = new LinkedHashMap<>();
            TuningReport.importance(tuning, tuner.space()).forEach((k, v) -> importance.put("tune_importance_" + k, v));
            ctx.tracker().logMetrics(importance);
            logged.put("tune_method", tuning.method());
            logged.put("tuned_params", String.join(",", tuning.best().params().keySet()));
        }
        logged.putAll(p.asParams());
        if (task == Task.BINARY && params.autoScalePosWeight()) logged.put("scale_pos_weight_value", Double.toString(scalePosWeight));
        logged.put("num_workers", Integer.toString(plan.numWorkers()));
        logged.put("nthread", Integer.toString(plan.nthread()));
        logged.put("weighted", Boolean.toString(weighted));
        ctx.tracker().logParams(logged);
        int inputPartitions = train.rdd().getNumPartitions();
        ctx.progress().status("xgboost", String.format("XGBoost %s: up to %d rounds, %d worker(s) x %d thread(s)%s; input in %d partition(s)%s", p.objective(),
                p.numRounds(), plan.numWorkers(), plan.nthread(), (plan.wholeProcess() ? " (a thread per core of the local master)" : "")
                + (earlyStopping ? ", early stopping after " + p.earlyStoppingRounds() : ""),
                inputPartitions, inputPartitions == plan.numWorkers() ? "" : ", repartitioned to the workers"), Double.NaN);
        XGBoostFit.Rounds rounds = roundsProgress(ctx.progress(), "xgboost", p, 0);

        ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": XGBoost");
        Map<String, Double> metrics = new LinkedHashMap<>();
        XGBoostFit.Result fit;
        CrossValidation.Result cv = null;
        if (cvFolds != null) {
            cv = CrossValidation.run(ctx, cvFolds, p, plan, features, scalePosWeight, weighted);
            metrics.putAll(cv.metrics());
            // The shipped model: every non-holdout row, the folds' mean round count scaled from (k-1)/k of the rows to all of them.
            int finalRounds = (int) Math.max(1, Math.round(cv.meanRounds() * cvFolds.size() / (cvFolds.size() - 1.0)));
            ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": XGBoost on every non-holdout row");
            fit = XGBoostFit.fit(train, null, p, plan, features, scalePosWeight, finalRounds, weighted, false, p.seed(),
                    (done, best) -> ctx.progress().status("xgboost", String.format("XGBoost on every non-holdout row: round %d/%d", done, finalRounds),
                            (double) done / finalRounds));
            metrics.put("refit_rows", (double) train.count());
            metrics.put("refit_rounds", (double) finalRounds);
            metrics.put("refit_seconds", fit.seconds());
        } else if (p.checkpointRounds() > 0) {
            String fingerprint = Hashing.sha256(Json.canonical(Map.of("params", p.asParams(), "snapshot",
                    String.valueOf(features.snapshotId()), "workers", plan.numWorkers(), "fraction", p.validationFraction())));
            CheckpointedTraining.Outcome o = CheckpointedTraining.train(ctx.spark(), train, eval, p, plan, features, scalePosWeight, weighted,
                    ctx.scratchDir().resolve("checkpoint"), fingerprint, ctx.progress(), rounds);
            fit = o.result();
            metrics.put("resumed_from_round", (double) o.resumedFromRound());
            metrics.put("checkpoint_retries", (double) o.retries());
        } else {
            try {
                fit = XGBoostFit.fit(train, eval, p, plan, features, scalePosWeight, p.numRounds(), weighted, false, p.seed(), rounds);
            } catch (TreelineException e) {
                throw e;
            } catch (Exception e) {
                throw new TreelineException(ExitCode.FAILURE, "XGBoost training failed: " + XGBoostErrors.summary(e)
                        + "; with checkpoint_rounds set, a failed segment is retried from the last checkpoint", e);
            }
        }
        ctx.progress().endStatus("xgboost");
        if (tuning != null && cv == null && earlyStopping && p.checkpointRounds() == 0) {
            Fitted chosen = halfRate(ctx, new Fitted(p, fit), train, eval, plan, features, scalePosWeight, weighted, metrics);
            p = chosen.params();
            fit = chosen.fit();
        }
        Booster booster = fit.booster();
        int boostedRounds = fit.rounds();
        int bestIteration = fit.bestIteration();
        if (cv == null) metrics.put("early_stopping_best_iteration", (double) bestIteration);

        // The saved model holds the trees up to the best iteration only: what any XGBoost loading it predicts.
        Booster saved = BoosterJson.trim(booster, bestIteration);
        Calibration calibration = null;
        if (!p.calibrate().equals("none")) {
            // Fitted on the validation rows' scores by the model that never saw them (before any refit).
            ctx.progress().status("calibrate", "calibrating (" + p.calibrate() + ") on the " + (cv != null ? "out-of-fold scores" : "validation rows"),
                    Double.NaN);
            Dataset<Row> scored = cv != null ? cv.outOfFold().cache() : BundleScorer.predict(ctx.spark(), validation.select(FeaturePipelineFactory.LABEL, FeaturePipelineFactory.FEATURES),
                    FeaturePipelineFactory.FEATURES, saved.toByteArray("ubj"), features.featureNames().size(), bestIteration + 1,
                    BundleScorer.Output.VALUE, false).cache();
            try {
                calibration = Calibrator.fit(scored, BundleScorer.SCORE, FeaturePipelineFactory.LABEL, p.calibrate());
                metrics.putAll(CalibrationReport.of(scored, BundleScorer.SCORE, FeaturePipelineFactory.LABEL, calibration));
            } finally {
                scored.unpersist();
            }
            ctx.progress().endStatus("calibrate");
        }
        if (cv == null && p.refit() && !validation.isEmpty()) {
            Refit.Outcome r = Refit.run(ctx, train, validation, p, plan, features, scalePosWeight, weighted, earlyStopping ? bestIteration + 1 : boostedRounds,
                    earlyStopping);
            saved.dispose();
            saved = r.booster();
            metrics.putAll(r.metrics());
            boostedRounds = r.rounds();
            bestIteration = r.rounds() - 1;
        }
        Map<String, Double> importance = BoosterJson.importance(saved, features.featureNames());
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("spark", ctx.spark().version());
        versions.put("xgboost", xgboostVersion());
        ModelMeta meta = new ModelMeta(1, p.objective(), bestIteration, boostedRounds, features.featureNames(), features.label(),
                new LinkedHashMap<>(p.asParams()), versions, Instant.now().toString(), p.numClass(), calibration);
        BundleWriter bundle = BundleWriter.prepare(ctx.spark(), saved, pipelineDir, meta, importance);
        ctx.catalog().publishDirectory(ctx.output(0), bundle::writeTo);
        if (fit.trainHistory().length > 0) ctx.tracker().logMetricHistory("train_" + p.evalMetric(), fit.trainHistory());
        if (fit.validationHistory().length > 0) ctx.tracker().logMetricHistory("validation_" + p.evalMetric(), fit.validationHistory());
        if (!params.baselines().isEmpty()) {
            ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": baselines");
            metrics.putAll(Baselines.run(params.baselines(), all, FeaturePipelineFactory.FEATURES, p, ctx.progress()));
        }
        metrics.put("train_seconds", fit.seconds());
        metrics.put("boosted_rounds", (double) boostedRounds);
        metrics.put("best_iteration", (double) bestIteration);
        if (!Double.isNaN(fit.bestValidation())) metrics.put("validation_" + p.evalMetric() + "_best", fit.bestValidation());
        if (tuning != null) {
            metrics.put("tune_trials_complete", (double) tuning.count(Tuner.COMPLETE));
            metrics.put("tune_trials_pruned", (double) tuning.count(Tuner.PRUNED));
            metrics.put("tune_trials_failed", (double) tuning.count(Tuner.FAILED));
            metrics.put("tune_best_validation_" + p.evalMetric(), tuning.best().validation());
            metrics.put("tune_start_validation_" + p.evalMetric(), tuning.trials().get(0).validation());
        }
        ctx.tracker().logMetrics(metrics);
        String summary = cv != null
                ? String.format("%d-fold cross-validation: %s %.5f ± %.5f%s, %.0f rounds; trained on %,.0f non-holdout rows: %d rounds (%.1f s)", cvFolds.size(),
                        p.evalMetric(), metrics.get("cv_" + p.evalMetric() + "_mean"), metrics.get("cv_" + p.evalMetric() + "_sd"),
                        metrics.containsKey("cv_auc_mean") ? String.format(", AUC %.4f ± %.4f", metrics.get("cv_auc_mean"), metrics.get("cv_auc_sd")) : "",
                        cv.meanRounds(), metrics.get("refit_rows"), boostedRounds, fit.seconds())
                : metrics.containsKey("refit_rounds")
                ? String.format("early stopping chose %d rounds (%.1f s); refit on %,.0f training + validation rows: %d rounds (%.1f s)",
                        fit.bestIteration() + 1, fit.seconds(), metrics.get("refit_rows"), boostedRounds, metrics.get("refit_seconds"))
                : String.format("%d rounds in %.1f s, best iteration %d", boostedRounds, fit.seconds(), bestIteration);
        if (calibration != null) summary += "; calibrated: " + calibration.describe();
        if (tuning != null) {
            summary = String.format("tuned over %d trials (%s %.5f -> %.5f); ", tuning.trials().size(), p.evalMetric(),
                    tuning.trials().get(0).validation(), tuning.best().validation()) + summary;
        }
        return StepResult.of(summary, metrics);
    }

    /** A fit and the parameters it was made with. */
    private record Fitted(TrainParams params, XGBoostFit.Result fit) {}

    /**
     * With the parameters chosen, half the learning rate usually generalises a little better at twice the rounds: tried
     * once, early-stopped on the same validation rows, and returned only when its validation metric is better.
     */
    private static Fitted halfRate(StepContext ctx, Fitted tuned, Dataset<Row> train, Dataset<Row> eval, WorkerPlan plan, FeatureMeta features,
                                   double scalePosWeight, boolean weighted, Map<String, Double> metrics) throws Exception {
        TrainParams p = tuned.params();
        XGBoostFit.Result fit = tuned.fit();
        TrainParams slow = p.withEtaAndRounds(p.eta() / 2, Math.max(p.numRounds(), 2 * (fit.bestIteration() + 1) + p.earlyStoppingRounds()));
        ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": XGBoost at half the learning rate");
        XGBoostFit.Result half = XGBoostFit.fit(train, eval, slow, plan, features, scalePosWeight, slow.numRounds(), weighted, false, slow.seed(),
                (done, best) -> ctx.progress().status("xgboost", String.format("XGBoost at eta %.4f: round %d/%d", slow.eta(), done, slow.numRounds()),
                        (double) done / slow.numRounds()));
        ctx.progress().endStatus("xgboost");
        metrics.put("validation_" + p.evalMetric() + "_best_tuned_eta", fit.bestValidation());
        metrics.put("validation_" + p.evalMetric() + "_best_half_eta", half.bestValidation());
        boolean better = XGBoostFit.maximize(p.evalMetric()) ? half.bestValidation() > fit.bestValidation() : half.bestValidation() < fit.bestValidation();
        metrics.put("final_eta_halved", better ? 1.0 : 0.0);
        if (!better) {
            half.booster().dispose();
            return tuned;
        }
        fit.booster().dispose();
        ctx.tracker().logParams(Map.of("final_eta", Double.toString(slow.eta())));
        return new Fitted(slow, half);
    }

    private static boolean targetEncodes(Path pipelineDir) {
        return FeatureMeta.readSpec(pipelineDir).features().stream().anyMatch(f -> f.encode() == FeatureColumn.Encoding.target);
    }

    /** Negatives per positive among the training rows: XGBoost's usual weight for a rare positive class. */
    static double balance(Dataset<Row> train) {
        Row r = train.agg(functions.sum(functions.col("label")), functions.count(functions.lit(1))).first();
        double positives = r.isNullAt(0) ? 0 : ((Number) r.get(0)).doubleValue();
        long rows = r.getLong(1);
        if (positives == 0 || positives == rows) {
            throw TreelineException.data("scale_pos_weight: auto needs both classes in the training rows; found " + (long) positives
                    + " positive of " + rows);
        }
        return (rows - positives) / positives;
    }

    static String xgboostVersion() {
        Package p = XGBoostClassifier.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v != null ? v : Versions.xgboost();
    }

    /** Reports a fit's rounds on the step's status line: done of the maximum, and the best validation metric so far. */
    static XGBoostFit.Rounds roundsProgress(Progress progress, String key, TrainParams p, int before) {
        return (done, best) -> progress.status(key, String.format("XGBoost round %d/%d%s", before + done, p.numRounds(),
                Double.isNaN(best) ? "" : String.format(" · best validation %s %.5f", p.evalMetric(), best)), (double) (before + done) / p.numRounds());
    }
}
