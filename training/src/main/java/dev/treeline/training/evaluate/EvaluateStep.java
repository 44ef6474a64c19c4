package dev.treeline.training.evaluate;

import dev.treeline.features.build.Enrichment;
import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.training.bundle.BundleScorer;
import dev.treeline.training.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Scores the holdout days with the candidate bundle and, when the registry has one, the champion's
 * bundle — each through its own saved feature pipeline, labels from the candidate's label definition —
 * and records AUC and log loss for both.
 */
final class EvaluateStep implements Step {
    static final String LABEL = "label";
    static final double PARITY_TOLERANCE = 1e-6;
    private final String championAlias;

    EvaluateStep(String championAlias) {
        this.championAlias = championAlias;
    }

    @Override
    public StepResult run(StepContext ctx) {
        DateWindow w = ctx.window();
        PartitionedDataset rows = ctx.catalog().partitioned(ctx.input(0));
        ModelBundle candidate = ModelBundle.at(ctx.catalog().directory(ctx.input(1)));
        String label = candidate.featureMeta().label();
        Dataset<Row> raw = rows.read(w.holdoutFrom(), w.holdoutTo())
                .withColumn(LABEL, functions.expr(label).cast("double"))
                .filter(functions.col(LABEL).isNotNull());
        Dataset<Row> holdout = lookups(ctx, candidate, raw, rows.column(), "the candidate").cache();
        try {
            double parity = parity(ctx, candidate);
            BinaryMetrics cand = BinaryMetrics.of(BundleScorer.score(ctx.spark(), candidate, holdout, LABEL), LABEL, BundleScorer.SCORE);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("holdout_auc", cand.auc());
            metrics.put("holdout_logloss", cand.logloss());
            metrics.put("holdout_rows", (double) cand.rows());
            if (!Double.isNaN(parity)) metrics.put("scoring_parity_max_abs_diff", parity);

            Evaluation.ChampionMetrics champ = null;
            Optional<ModelRef> ref = ctx.models().byAlias(ctx.pipeline().modelName(), championAlias);
            if (ref.isPresent()) {
                ModelBundle champion;
                try {
                    champion = ModelBundle.at(ctx.models().download(ref.get(), ctx.scratchDir().resolve("champion-v" + ref.get().version())));
                } catch (RuntimeException e) {
                    throw new IllegalStateException("cannot load champion version " + ref.get().version() + " of "
                            + ctx.pipeline().modelName() + " to compare against: " + e.getMessage(), e);
                }
                Dataset<Row> championRows = champion.featureMeta().needsLookups() ? lookups(ctx, champion, raw, rows.column(),
                        "champion version " + ref.get().version()) : holdout;
                BinaryMetrics m = BinaryMetrics.of(BundleScorer.score(ctx.spark(), champion, championRows, LABEL), LABEL, BundleScorer.SCORE);
                champ = new Evaluation.ChampionMetrics(ref.get().version(), ref.get().runId(), m);
                metrics.put("champion_holdout_auc", m.auc());
                metrics.put("champion_holdout_logloss", m.logloss());
            }
            ctx.tracker().logMetrics(metrics);
            ctx.catalog().writeJson(ctx.output(0), new Evaluation(w.holdoutFrom().toString(), w.holdoutTo().toString(), cand, champ));

            String summary = String.format("holdout %s..%s (%,d rows): AUC %.4f, log loss %.4f", w.holdoutFrom(), w.holdoutTo(),
                    cand.rows(), cand.auc(), cand.logloss());
            summary += champ == null ? "; no champion yet"
                    : String.format("; champion v%s AUC %.4f, log loss %.4f", champ.version(), champ.metrics().auc(), champ.metrics().logloss());
            return StepResult.of(summary, metrics);
        } finally {
            holdout.unpersist();
        }
    }

    /** Holdout rows with what the bundle's features look up as of each day (aggregates, joins). */
    private static Dataset<Row> lookups(StepContext ctx, ModelBundle bundle, Dataset<Row> raw, String day, String who) {
        FeatureMeta meta = bundle.featureMeta();
        if (!meta.needsLookups()) return raw;
        List<String> needed = new ArrayList<>();
        if (meta.aggregatesDataset() != null) needed.add(meta.aggregatesDataset());
        if (meta.joinDatasets() != null) needed.addAll(meta.joinDatasets());
        for (String n : needed) {
            if (!ctx.step().inputs().contains(n)) {
                throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': " + who + " looks up features in dataset '" + n
                        + "'; add it to the step's inputs: [" + String.join(", ", ctx.step().inputs()) + ", " + n + "]");
            }
        }
        Path specFile = bundle.dir().resolve(ModelBundle.FEATURE_PIPELINE).resolve(FeatureMeta.SPEC_FILE);
        FeatureSpec spec = FeatureSpec.parse(SpecNode.parse(specFile, Interpolator.of(Map.of())));
        DateWindow w = ctx.window();
        return Enrichment.attach(ctx.catalog(), spec, raw, day, meta.aggregatesDataset(), w.holdoutFrom(), w.holdoutTo());
    }

    /**
     * Scores the bundle's stored sample through the saved pipeline and booster and returns the largest
     * difference to the scores computed in the training run; fails the step above 1e-6 (what serving
     * would compute is not what was evaluated). NaN when the bundle has no sample.
     */
    static double parity(StepContext ctx, ModelBundle bundle) {
        Path dir = bundle.dir().resolve(ModelBundle.SCORING_SAMPLE);
        if (!Files.isDirectory(dir)) return Double.NaN;
        Dataset<Row> sample = ctx.spark().read().parquet(dir.toString());
        Row r = BundleScorer.score(ctx.spark(), bundle, sample, ModelBundle.EXPECTED_SCORE)
                .agg(functions.max(functions.abs(functions.col(BundleScorer.SCORE).minus(functions.col(ModelBundle.EXPECTED_SCORE)))),
                        functions.count(functions.lit(1))).first();
        double diff = r.isNullAt(0) ? 0 : r.getDouble(0);
        if (diff > PARITY_TOLERANCE) {
            throw new TreelineException(ExitCode.FAILURE, String.format("scoring parity broken: the saved feature pipeline and booster score "
                    + "the %d sample rows up to %.3g away from the training run (tolerance %.0e); the model would serve different "
                    + "predictions than were evaluated", r.getLong(1), diff, PARITY_TOLERANCE));
        }
        return diff;
    }
}
