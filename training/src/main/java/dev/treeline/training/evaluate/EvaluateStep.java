package dev.treeline.training.evaluate;

import dev.treeline.features.build.Enrichment;
import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.build.RowSplit;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.format.Evaluation;
import dev.treeline.pipelines.format.SliceMetrics;
import dev.treeline.pipelines.format.Task;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.spec.SplitSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.Json;
import dev.treeline.training.bundle.BundleScorer;
import dev.treeline.training.bundle.ModelBundle;
import dev.treeline.training.bundle.ScoringParity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * Scores the holdout days with the candidate bundle and, when the registry has one, the champion's
 * bundle — each through its own saved feature pipeline, labels from the candidate's label definition —
 * and records for both: AUC with a bootstrap interval, PR AUC, log loss, Brier score, and the
 * threshold-based metrics at the F1-best threshold of the validation days; per-slice metrics; and
 * charts (ROC, precision-recall, calibration, importance, SHAP) as PNG artifacts.
 */
final class EvaluateStep implements Step {
    static final String LABEL = "label";
    static final String ARTIFACTS = "evaluation";
    private final String championAlias;
    private final List<String> slices;
    private final boolean plots;
    private final long seed;
    private final SplitSpec split;
    /** {false negative, false positive} costs, or null: the threshold then maximises F1. */
    private final double[] cost;

    EvaluateStep(String championAlias, List<String> slices, boolean plots, long seed, SplitSpec split, double[] cost) {
        this.split = split;
        this.cost = cost;
        this.championAlias = championAlias;
        this.slices = slices;
        this.plots = plots;
        this.seed = seed;
    }

    /** One model measured: metrics by name; for binary models score bins (curves) and slices; for multiclass the confusion matrix. */
    private record Measured(Map<String, Double> metrics, ScoreBins bins, Map<String, List<SliceMetrics>> slices, long[][] confusion,
                            Dataset<Row> scored) {
        double get(String name) {
            return metrics.getOrDefault(name, Double.NaN);
        }
    }

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        DateWindow w = ctx.window();
        PartitionedDataset rows = ctx.catalog().partitioned(ctx.input(0));
        ModelBundle candidate = ModelBundle.at(ctx.catalog().directory(ctx.input(1)));
        String label = candidate.featureMeta().label();
        Task task = candidate.meta().task();
        checkSlices(ctx, candidate);
        // A row split is assigned once: its holdout and validation rows (the latter scored by candidate and champion) come from it.
        Dataset<Row> assigned = split == null ? null
                : RowSplit.assign(rows.read(ctx.logicalDate(), ctx.logicalDate()), split, label, rows.column()).persist(StorageLevel.MEMORY_AND_DISK());
        List<Dataset<Row>> cached = new ArrayList<>();
        if (assigned != null) cached.add(assigned);
        // Row ids fixed once (checkpointed) so that candidate and champion scores pair up row by row.
        Dataset<Row> raw = labelled(split != null ? splitRows(ctx, assigned, rows.column(), DateWindow.HOLDOUT) : rows.read(w.holdoutFrom(), w.holdoutTo()), label)
                .withColumn(PairedDifference.ROW_ID, functions.monotonically_increasing_id()).localCheckpoint(true);
        Dataset<Row> rawValidation = split != null ? labelled(splitRows(ctx, assigned, rows.column(), DateWindow.VALIDATION), label)
                : w.validationFrom().isBefore(w.holdoutFrom()) ? labelled(rows.read(w.validationFrom(), w.validationTo()), label) : null;
        Dataset<Row> holdout = lookups(ctx, candidate, raw, rows.column(), "the candidate", w.holdoutFrom(), w.holdoutTo()).cache();
        cached.add(holdout);
        try {
            double parity = parity(ctx, candidate);
            Measured cand = measure(ctx, candidate, holdout, rawValidation, rows.column(), "the candidate");
            cached.add(cand.scored());
            Map<String, Double> metrics = new LinkedHashMap<>();
            cand.metrics().forEach((k, v) -> metrics.put("holdout_" + k, v));
            if (!Double.isNaN(parity)) metrics.put("scoring_parity_max_abs_diff", parity);

            Evaluation.ChampionMetrics champ = null;
            Measured champion = null;
            Optional<ModelRef> ref = ctx.models().byAlias(ctx.pipeline().modelName(), championAlias);
            if (ref.isPresent()) {
                ModelBundle bundle;
                try {
                    bundle = ModelBundle.at(ctx.models().download(ref.get(), ctx.scratchDir().resolve("champion-v" + ref.get().version())));
                } catch (RuntimeException e) {
                    throw new IllegalStateException("cannot load champion version " + ref.get().version() + " of "
                            + ctx.pipeline().modelName() + " to compare against: " + e.getMessage(), e);
                }
                String who = "champion version " + ref.get().version();
                Dataset<Row> championRows = bundle.featureMeta().needsLookups()
                        ? lookups(ctx, bundle, raw, rows.column(), who, w.holdoutFrom(), w.holdoutTo()) : holdout;
                champion = measure(ctx, bundle, championRows, rawValidation, rows.column(), who);
                cached.add(champion.scored());
                Map<String, Evaluation.Delta> difference = null;
                // A champion of another task measures other metrics: nothing to pair.
                if (bundle.meta().task() == task) {
                    difference = PairedDifference.of(task, cand.scored(), champion.scored(), LABEL, BundleScorer.SCORE, BundleScorer.PROBABILITIES,
                            cand.metrics(), champion.metrics(), BinaryMetrics.BOOTSTRAP_REPLICATES, seed);
                    difference.forEach((k, d) -> {
                        metrics.put("delta_holdout_" + k, d.delta());
                        metrics.put("delta_holdout_" + k + "_ci_low", d.ciLow());
                        metrics.put("delta_holdout_" + k + "_ci_high", d.ciHigh());
                    });
                }
                champ = new Evaluation.ChampionMetrics(ref.get().version(), ref.get().runId(), champion.metrics(), champion.slices(), difference);
                champion.metrics().forEach((k, v) -> metrics.put("champion_holdout_" + k, v));
            }
            ctx.tracker().logMetrics(metrics);
            ctx.catalog().writeJson(ctx.output(0), new Evaluation(w.holdoutFrom().toString(), w.holdoutTo().toString(), task.label(),
                    task.headline(), cand.metrics(), champ, cand.slices()));
            Path artifacts = ctx.scratchDir().resolve(ARTIFACTS);
            writeArtifacts(artifacts, candidate, holdout, cand, champion, champ == null ? null : "champion v" + champ.version());
            ctx.tracker().logArtifacts(artifacts, ARTIFACTS);

            String h = task.headline();
            String summary = String.format("holdout %s..%s (%,d rows): %s %.4f (95%% CI %.4f-%.4f)", w.holdoutFrom(), w.holdoutTo(),
                    (long) cand.get("rows"), task.headlineTitle(), cand.get(h), cand.get(h + "_ci_low"), cand.get(h + "_ci_high"));
            summary += switch (task) {
                case BINARY -> String.format(", PR AUC %.4f, log loss %.4f, F1 %.3f at %.3f", cand.get("pr_auc"), cand.get("logloss"), cand.get("f1"),
                        cand.get("threshold"));
                case REGRESSION -> String.format(", MAE %.4f, R2 %.4f", cand.get("mae"), cand.get("r2"));
                case MULTICLASS -> String.format(", accuracy %.4f, macro F1 %.4f", cand.get("accuracy"), cand.get("macro_f1"));
            };
            summary += champ == null ? "; no champion yet" : String.format("; champion v%s %s %.4f", champ.version(), task.headlineTitle(), champion.get(h));
            return StepResult.of(summary, metrics);
        } finally {
            cached.forEach(Dataset::unpersist);
        }
    }

    /**
     * The validation or holdout rows of a row split, chosen from the logical date's snapshot as the features step
     * chose them ({@link RowSplit}); the holdout of a split with a holdout dataset is that dataset's snapshot.
     */
    private Dataset<Row> splitRows(StepContext ctx, Dataset<Row> assigned, String day, String which) {
        if (which.equals(DateWindow.HOLDOUT) && split.holdoutDataset() != null) {
            PartitionedDataset h = ctx.catalog().partitioned(split.holdoutDataset());
            Dataset<Row> out = h.read(ctx.logicalDate(), ctx.logicalDate());
            return h.column().equals(day) ? out : out.withColumnRenamed(h.column(), day);
        }
        return assigned.filter(functions.col(RowSplit.COLUMN).equalTo(which)).drop(RowSplit.COLUMN, RowSplit.FOLD);
    }

    private static Dataset<Row> labelled(Dataset<Row> rows, String label) {
        return rows.withColumn(LABEL, functions.expr(label).cast("double")).filter(functions.col(LABEL).isNotNull());
    }

    /** Scores holdout (and validation, for the threshold) through the bundle; metrics, bins and slices. */
    private Measured measure(StepContext ctx, ModelBundle bundle, Dataset<Row> holdoutRows, Dataset<Row> rawValidation, String day, String who) {
        Task task = bundle.meta().task();
        String[] keep = new String[slices.size() + 2];
        keep[0] = LABEL;
        keep[1] = PairedDifference.ROW_ID;
        for (int i = 0; i < slices.size(); i++) keep[i + 2] = slices.get(i);
        if (task != Task.BINARY) {
            // Left cached for the paired difference; the caller unpersists it.
            Dataset<Row> scored = BundleScorer.score(ctx.spark(), bundle, holdoutRows, keep).cache();
            if (task == Task.REGRESSION) {
                return new Measured(TaskMetrics.regression(scored, LABEL, BundleScorer.SCORE, seed), null,
                        Slices.regression(scored, slices, LABEL, BundleScorer.SCORE), null, scored);
            }
            TaskMetrics.Multiclass m = TaskMetrics.multiclass(scored, LABEL, BundleScorer.SCORE, BundleScorer.PROBABILITIES, bundle.meta().numClass(), seed);
            return new Measured(m.metrics(), null, Slices.multiclass(scored, slices, LABEL, BundleScorer.SCORE, BundleScorer.PROBABILITIES),
                    m.confusion(), scored);
        }
        // Without validation rows to choose on (cross-validation), a cost matrix still fixes the threshold a calibrated
        // probability should be compared with: the expected cost of either decision is equal at c_fp / (c_fn + c_fp).
        double threshold = cost != null ? cost[1] / (cost[0] + cost[1]) : 0.5;
        if (rawValidation != null) {
            DateWindow w = ctx.window();
            // A row split's validation rows are of the logical date's snapshot, like its holdout.
            Dataset<Row> validation = split != null ? lookups(ctx, bundle, rawValidation, day, who, ctx.logicalDate(), ctx.logicalDate())
                    : lookups(ctx, bundle, rawValidation, day, who, w.validationFrom(), w.validationTo());
            ScoreBins vb = ScoreBins.of(BundleScorer.score(ctx.spark(), bundle, validation, LABEL), LABEL, BundleScorer.SCORE);
            if (vb.positives() > 0) threshold = cost != null ? vb.minCostThreshold(cost[0], cost[1]) : vb.bestF1Threshold();
        }
        Dataset<Row> scored = BundleScorer.score(ctx.spark(), bundle, holdoutRows, keep).cache();
        ScoreBins bins = ScoreBins.of(scored, LABEL, BundleScorer.SCORE);
        BinaryMetrics metrics = BinaryMetrics.of(scored, bins, LABEL, BundleScorer.SCORE, threshold, seed);
        Map<String, Double> measured = new LinkedHashMap<>(metrics.asMap());
        measured.put("calibration_error", bins.ece(ScoreBins.CALIBRATION_GROUPS));
        if (bundle.meta().calibration() != null) {
            // The same rows through the booster alone: what the calibration changed, on rows it was not fitted on.
            Dataset<Row> raw = BundleScorer.scoreUncalibrated(ctx.spark(), bundle, holdoutRows, LABEL);
            ScoreBins rawBins = ScoreBins.of(raw, LABEL, BundleScorer.SCORE);
            measured.put("logloss_uncalibrated", BinaryMetrics.meanLogLoss(raw, LABEL, BundleScorer.SCORE));
            measured.put("calibration_error_uncalibrated", rawBins.ece(ScoreBins.CALIBRATION_GROUPS));
        }
        if (cost != null) {
            long[] c = bins.confusion(threshold);
            double total = c[0] + c[1] + c[2] + c[3];
            // Cost per row at the threshold chosen on the validation rows: comparable across holdouts of any size.
            measured.put("cost_per_row", total == 0 ? Double.NaN : (cost[0] * c[3] + cost[1] * c[1]) / total);
        }
        return new Measured(measured, bins, Slices.of(scored, slices, LABEL, BundleScorer.SCORE), null, scored);
    }

    static String piiSlice(String column) {
        return "'" + column + "' is a pii column: its values would be written to the evaluation; slice by a non-personal column";
    }

    static String missingLookup(String who, String dataset, List<String> inputs) {
        return who + " looks up features in dataset '" + dataset + "'; add it to the step's inputs: [" + String.join(", ", inputs) + ", " + dataset + "]";
    }

    /** Segment columns must be input columns, and never personal data (their values become an artifact). */
    private void checkSlices(StepContext ctx, ModelBundle candidate) {
        FeatureMeta meta = candidate.featureMeta();

        for (String s : slices) {
            if (meta.piiColumns() != null && meta.piiColumns().contains(s)) {
                throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': params.slices: " + piiSlice(s));
            }
            if (meta.inputColumns() != null && !meta.inputColumns().contains(s)) {
                throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': params.slices names '" + s
                        + "', which is not an input column of the model; expected one of " + meta.inputColumns());
            }
        }
    }

    /** PNG charts, the slice table and the SHAP summary, for the MLflow run's evaluation/ folder. */
    private void writeArtifacts(Path dir, ModelBundle candidate, Dataset<Row> holdout, Measured cand, Measured champion, String championName)
            throws IOException {
        Files.createDirectories(dir);
        if (!slices.isEmpty()) Json.writeAtomically(dir.resolve("slices.json"), cand.slices());
        Map<String, Double> shap = ShapSummary.meanAbs(candidate, holdout, seed);
        Json.writeAtomically(dir.resolve("shap_mean_abs.json"), shap);
        if (cand.confusion() != null) Json.writeAtomically(dir.resolve("confusion_matrix.json"), Map.of("rows_actual_columns_predicted", cand.confusion()));
        if (cand.bins() != null) {
            // The curves as numbers, for notebooks and other tools to draw or compare (the PNGs below are for people).
            Map<String, Object> curves = new LinkedHashMap<>();
            curves.put("candidate", curveData(cand.bins()));
            if (champion != null && champion.bins() != null) curves.put(championName, curveData(champion.bins()));
            Json.writeAtomically(dir.resolve("curves.json"), curves);
        }
        if (!plots) return;
        Map<String, Double> gain = new LinkedHashMap<>();
        Json.MAPPER.readTree(candidate.dir().resolve(ModelBundle.IMPORTANCE).toFile()).fields()
                .forEachRemaining(e -> gain.put(e.getKey(), e.getValue().asDouble()));
        EvaluationPlots.bars(dir.resolve("feature_importance.png"), "Feature importance (total gain)", "total gain", gain);
        EvaluationPlots.bars(dir.resolve("shap_summary.png"), "SHAP summary (mean |contribution|, holdout sample)", "mean |SHAP value|", shap);
        // A champion of another task has no curves to draw beside the candidate's.
        if (cand.bins() == null) return;
        if (champion != null && champion.bins() == null) champion = null;
        List<EvaluationPlots.Curve> roc = new ArrayList<>(List.of(new EvaluationPlots.Curve(String.format("candidate (AUC %.4f)", cand.get("auc")),
                cand.bins().roc())));
        List<EvaluationPlots.Curve> pr = new ArrayList<>(List.of(new EvaluationPlots.Curve(String.format("candidate (PR AUC %.4f)", cand.get("pr_auc")),
                cand.bins().precisionRecall())));
        List<EvaluationPlots.Curve> cal = new ArrayList<>(List.of(new EvaluationPlots.Curve("candidate", cand.bins().calibration(ScoreBins.CALIBRATION_GROUPS))));
        if (champion != null) {
            roc.add(new EvaluationPlots.Curve(String.format("%s (AUC %.4f)", championName, champion.get("auc")), champion.bins().roc()));
            pr.add(new EvaluationPlots.Curve(String.format("%s (PR AUC %.4f)", championName, champion.get("pr_auc")), champion.bins().precisionRecall()));
            cal.add(new EvaluationPlots.Curve(championName, champion.bins().calibration(ScoreBins.CALIBRATION_GROUPS)));
        }
        EvaluationPlots.roc(dir.resolve("roc.png"), roc);
        EvaluationPlots.precisionRecall(dir.resolve("precision_recall.png"), pr);
        EvaluationPlots.calibration(dir.resolve("calibration.png"), cal);
    }

    /** ROC points (at most about 500, evenly thinned) and 10 calibration groups of one model's scores. */
    static Map<String, Object> curveData(ScoreBins bins) {
        List<double[]> roc = bins.roc();
        int step = Math.max(1, roc.size() / 500);
        List<double[]> thin = new ArrayList<>();
        for (int i = 0; i < roc.size(); i += step) thin.add(roc.get(i));
        if (!roc.isEmpty() && thin.get(thin.size() - 1) != roc.get(roc.size() - 1)) thin.add(roc.get(roc.size() - 1));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("roc_fpr_tpr", thin);
        out.put("calibration_mean_score_positive_rate_rows", bins.calibration(ScoreBins.CALIBRATION_GROUPS));
        return out;
    }

    /** Holdout rows with what the bundle's features look up as of each day (aggregates, joins). */
    private static Dataset<Row> lookups(StepContext ctx, ModelBundle bundle, Dataset<Row> raw, String day, String who, LocalDate from, LocalDate to) {
        FeatureMeta meta = bundle.featureMeta();
        if (!meta.needsLookups()) return raw;
        List<String> needed = new ArrayList<>();
        if (meta.aggregatesDataset() != null) needed.add(meta.aggregatesDataset());
        if (meta.joinDatasets() != null) needed.addAll(meta.joinDatasets());
        for (String n : needed) {
            if (!ctx.step().inputs().contains(n)) {
                throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': " + missingLookup(who, n, ctx.step().inputs()));
            }
        }
        FeatureSpec spec = FeatureMeta.readSpec(bundle.dir().resolve(ModelBundle.FEATURE_PIPELINE));
        return Enrichment.attach(ctx.catalog(), spec, raw, day, meta.aggregatesDataset(), from, to);
    }

    /**
     * Scores the bundle's stored sample through the saved pipeline and booster and returns the largest
     * difference to the scores computed in the training run; fails the step above 1e-6 (what serving
     * would compute is not what was evaluated). NaN when the bundle has no sample.
     */
    static double parity(StepContext ctx, ModelBundle bundle) {
        ScoringParity.Result r = ScoringParity.check(ctx.spark(), bundle);
        if (r == null) return Double.NaN;
        if (!r.holds()) {
            throw new TreelineException(ExitCode.FAILURE, String.format("scoring parity broken: the saved feature pipeline and booster score "
                    + "the %d sample rows up to %.3g away from the training run (tolerance %.0e); the model would serve different "
                    + "predictions than were evaluated", r.rows(), r.maxAbsDiff(), ScoringParity.TOLERANCE));
        }
        return r.maxAbsDiff();
    }
}
