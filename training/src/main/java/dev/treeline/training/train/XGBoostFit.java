package dev.treeline.training.train;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.training.bundle.Task;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import ml.dmlc.xgboost4j.scala.spark.XGBoostEstimator;
import ml.dmlc.xgboost4j.scala.spark.XGBoostModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostRegressor;
import ml.dmlc.xgboost4j.scala.spark.XGBoostTrainingSummary;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * One distributed XGBoost fit through XGBoost4J-Spark (its collective underneath): the estimator for
 * the task, configured from the step's parameters, with early stopping on {@code validation} when given.
 */
final class XGBoostFit {
    static final String WEIGHT = FeaturePipelineFactory.WEIGHT;
    static final String BASE_MARGIN = "base_margin";

    /** A fitted booster with all its rounds, the best iteration, and the metric per round. */
    record Result(Booster booster, int rounds, int bestIteration, double[] trainHistory, double[] validationHistory, double seconds) {
        /** The validation metric at the best iteration (NaN without validation). */
        double bestValidation() {
            return validationHistory.length > bestIteration ? validationHistory[bestIteration] : Double.NaN;
        }
    }

    private XGBoostFit() {}

    /** Metrics where higher is better; XGBoost maximises these when stopping early. */
    static boolean maximize(String evalMetric) {
        return List.of("auc", "aucpr").contains(evalMetric);
    }

    /**
     * Trains {@code rounds} rounds at most on {@code train}, stopping early on {@code validation} (null: no
     * early stopping); rows carry a {@link #WEIGHT} column when {@code weighted}, and a {@link #BASE_MARGIN}
     * column when {@code withBaseMargin} (training continues from those margins).
     */
    static Result fit(Dataset<Row> train, Dataset<Row> validation, TrainParams p, WorkerPlan plan, FeatureMeta features, double scalePosWeight,
                      int rounds, boolean weighted, boolean withBaseMargin, long seed) throws XGBoostError, java.io.IOException {
        Task task = p.task();
        XGBoostEstimator<?, ?> est = task == Task.REGRESSION ? new XGBoostRegressor() : new XGBoostClassifier();
        org.apache.spark.ml.Predictor<?, ?, ?> predictor = (org.apache.spark.ml.Predictor<?, ?, ?>) est;
        predictor.setFeaturesCol(FeaturePipelineFactory.FEATURES);
        predictor.setLabelCol(FeaturePipelineFactory.LABEL);
        // XGBoost4J-Spark setters return Params, so they do not chain from Java.
        est.setObjective(p.objective());
        if (task == Task.MULTICLASS) est.setNumClass(p.numClass());
        if (task == Task.BINARY) est.setScalePosWeight(scalePosWeight);
        est.setEvalMetric(p.evalMetric());
        est.setNumRound(rounds);
        est.setMaxDepth(p.maxDepth());
        est.setEta(p.eta());
        est.setGamma(p.gamma());
        est.setMinChildWeight(p.minChildWeight());
        est.setSubsample(p.subsample());
        est.setColsampleBytree(p.colsampleBytree());
        est.setLambda(p.lambda());
        est.setAlpha(p.alpha());
        est.setMaxBins(p.maxBin());
        est.setTreeMethod(p.treeMethod());
        est.setNumWorkers(plan.numWorkers());
        est.setNthread(plan.nthread());
        est.setSeed(seed);
        est.setDevice(p.device());
        est.setMissing(Float.NaN);
        est.setRabitTrackerTimeout(p.trackerTimeoutSeconds());
        est.setFeatureNames(features.featureNames().toArray(String[]::new));
        // Native categories: XGBoost splits on sets of category indices rather than thresholds.
        if (features.hasCategorical()) est.setFeatureTypes(features.featureTypes().toArray(String[]::new));
        if (weighted) est.setWeightCol(WEIGHT);
        if (withBaseMargin) est.setBaseMarginCol(BASE_MARGIN);
        if (validation != null) {
            est.setNumEarlyStoppingRounds(p.earlyStoppingRounds());
            est.setEvalDataset(validation);
        }
        long start = System.nanoTime();
        XGBoostModel<?> model = (XGBoostModel<?>) predictor.fit(train);
        double seconds = (System.nanoTime() - start) / 1e9;
        Booster fitted = model.nativeBooster().booster();
        int boosted = fitted.getNumBoostedRound();
        String best = fitted.getAttr("best_iteration");
        // A copy: the model's Scala wrapper disposes the native booster when it is garbage-collected.
        Booster booster = ml.dmlc.xgboost4j.java.XGBoost.loadModel(fitted.toByteArray("ubj"));
        double[] trainHistory = new double[0];
        double[] validationHistory = new double[0];
        if (model.summary().isDefined()) {
            XGBoostTrainingSummary summary = model.summary().get();
            // The summary's arrays have num_round entries; rounds after an early stop are zeros.
            trainHistory = toDoubles(summary.trainObjectiveHistory(), boosted);
            scala.collection.Iterator<Tuple2<String, float[]>> it = summary.validationObjectiveHistory().iterator();
            if (it.hasNext()) validationHistory = toDoubles(it.next()._2(), boosted);
        }
        java.lang.ref.Reference.reachabilityFence(model);
        return new Result(booster, boosted, best != null ? Integer.parseInt(best) : boosted - 1, trainHistory, validationHistory, seconds);
    }

    private static double[] toDoubles(float[] values, int rounds) {
        double[] out = new double[Math.min(rounds, values.length)];
        for (int i = 0; i < out.length; i++) out[i] = values[i];
        return out;
    }
}
