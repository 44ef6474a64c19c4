package dev.treeline.training.evaluate;

import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.training.bundle.BundleScorer;
import dev.treeline.training.bundle.ModelBundle;
import java.util.LinkedHashMap;
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
        Dataset<Row> holdout = rows.read(w.holdoutFrom(), w.holdoutTo())
                .withColumn(LABEL, functions.expr(label).cast("double"))
                .filter(functions.col(LABEL).isNotNull())
                .cache();
        try {
            BinaryMetrics cand = BinaryMetrics.of(BundleScorer.score(ctx.spark(), candidate, holdout, LABEL), LABEL, BundleScorer.SCORE);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("holdout_auc", cand.auc());
            metrics.put("holdout_logloss", cand.logloss());
            metrics.put("holdout_rows", (double) cand.rows());

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
                BinaryMetrics m = BinaryMetrics.of(BundleScorer.score(ctx.spark(), champion, holdout, LABEL), LABEL, BundleScorer.SCORE);
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
}
