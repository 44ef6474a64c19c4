package dev.treeline.training.train;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.format.Task;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.training.bundle.BundleScorer;
import dev.treeline.training.evaluate.BinaryMetrics;
import dev.treeline.training.evaluate.ScoreBins;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * K-fold cross-validation of one parameter set: each fold is fitted on the other folds, stopping early on
 * itself, and scored on itself. Reports each fold's metrics and their mean and standard deviation, the mean
 * early-stopped round count (what the final fit on every fold scales up), and the out-of-fold scores of a
 * binary model (what calibration is fitted on: every non-holdout row, each scored by a model that never saw it).
 */
final class CrossValidation {
    record Result(Map<String, Double> metrics, double meanRounds, Dataset<Row> outOfFold, double seconds) {}

    private CrossValidation() {}

    static Result run(StepContext ctx, List<Tuner.Fold> folds, TrainParams p, WorkerPlan plan, FeatureMeta features, double scalePosWeight,
                      boolean weighted) throws ml.dmlc.xgboost4j.java.XGBoostError {
        Task task = p.task();
        String label = FeaturePipelineFactory.LABEL;
        String vec = FeaturePipelineFactory.FEATURES;
        Map<String, List<Double>> perFold = new LinkedHashMap<>();
        Map<String, Double> metrics = new LinkedHashMap<>();
        Dataset<Row> oof = null;
        double rounds = 0;
        double seconds = 0;
        for (int k = 0; k < folds.size(); k++) {
            Tuner.Fold f = folds.get(k);
            int fold = k;
            ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": cross-validation fold " + (k + 1) + "/" + folds.size());
            XGBoostFit.Rounds progress = (done, best) -> ctx.progress().status("cv", String.format("cross-validation fold %d/%d: round %d/%d%s", fold + 1,
                    folds.size(), done, p.numRounds(), Double.isNaN(best) ? "" : String.format(" · best %s %.5f", p.evalMetric(), best)),
                    (fold + (double) done / p.numRounds()) / folds.size());
            XGBoostFit.Result r;
            try {
                r = XGBoostFit.fit(f.train(), f.validation(), p, plan, features, scalePosWeight, p.numRounds(), weighted, false, p.seed(), progress);
            } catch (TreelineException e) {
                throw e;
            } catch (Exception e) {
                throw new TreelineException(ExitCode.FAILURE, "XGBoost training of cross-validation fold " + (k + 1) + " failed: " + XGBoostErrors.summary(e), e);
            }
            seconds += r.seconds();
            rounds += r.bestIteration() + 1;
            add(perFold, metrics, k, p.evalMetric(), r.bestValidation());
            add(perFold, metrics, k, "rounds", r.bestIteration() + 1);
            if (task == Task.BINARY) {
                Dataset<Row> scored = BundleScorer.predict(ctx.spark(), f.validation().select(label, vec), vec, r.booster().toByteArray("ubj"),
                        features.featureNames().size(), r.bestIteration() + 1, BundleScorer.Output.VALUE, false).drop(vec).localCheckpoint(true);
                ScoreBins bins = ScoreBins.of(scored, label, BundleScorer.SCORE);
                add(perFold, metrics, k, "auc", bins.auc());
                add(perFold, metrics, k, "logloss", BinaryMetrics.meanLogLoss(scored, label, BundleScorer.SCORE));
                oof = oof == null ? scored : oof.unionByName(scored);
            }
            r.booster().dispose();
        }
        ctx.progress().endStatus("cv");
        perFold.forEach((name, values) -> {
            double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double var = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / Math.max(1, values.size() - 1);
            metrics.put("cv_" + name + "_mean", mean);
            metrics.put("cv_" + name + "_sd", Math.sqrt(var));
        });
        metrics.put("cv_folds", (double) folds.size());
        return new Result(metrics, rounds / folds.size(), oof, seconds);
    }

    private static void add(Map<String, List<Double>> perFold, Map<String, Double> metrics, int k, String name, double value) {
        perFold.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        metrics.put("cv_fold" + (k + 1) + "_" + name, value);
    }

}
