package dev.treeline.training.evaluate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Binary classification metrics of probability scores against 0/1 labels: exact ROC AUC (no binning)
 * with a 95% bootstrap interval, PR AUC (average precision), log loss, Brier score, and accuracy,
 * precision, recall and F1 at a threshold chosen elsewhere (on the validation days).
 */
public record BinaryMetrics(
        @JsonProperty("auc") double auc,
        @JsonProperty("auc_ci_low") double aucCiLow,
        @JsonProperty("auc_ci_high") double aucCiHigh,
        @JsonProperty("pr_auc") double prAuc,
        @JsonProperty("logloss") double logloss,
        @JsonProperty("brier") double brier,
        @JsonProperty("threshold") double threshold,
        @JsonProperty("accuracy") double accuracy,
        @JsonProperty("precision") double precision,
        @JsonProperty("recall") double recall,
        @JsonProperty("f1") double f1,
        @JsonProperty("rows") long rows,
        @JsonProperty("positives") long positives) {

    private static final double EPS = 1e-15;
    public static final int BOOTSTRAP_REPLICATES = 1000;
    public static final double CI_LEVEL = 0.95;

    /** Per-row log loss, the score clipped to [1e-15, 1 - 1e-15] so that a certain wrong answer costs a finite amount. */
    public static Column logLoss(String labelCol, String scoreCol) {
        return functions.expr(String.format("-(`%1$s` * ln(greatest(least(`%2$s`, %3$s), %4$s)) + (1 - `%1$s`) * ln(1 - greatest(least(`%2$s`, %3$s), %4$s)))",
                labelCol, scoreCol, 1 - EPS, EPS));
    }

    /** Mean log loss of {@code scored}: the one definition the evaluation, cross-validation, calibration report and benchmarks share. */
    public static double meanLogLoss(Dataset<Row> scored, String labelCol, String scoreCol) {
        return scored.agg(functions.avg(logLoss(labelCol, scoreCol))).first().getDouble(0);
    }

    /** By name, as recorded in MLflow (with a prefix) and in the evaluation dataset. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("auc", auc);
        m.put("auc_ci_low", aucCiLow);
        m.put("auc_ci_high", aucCiHigh);
        m.put("pr_auc", prAuc);
        m.put("logloss", logloss);
        m.put("brier", brier);
        m.put("threshold", threshold);
        m.put("accuracy", accuracy);
        m.put("precision", precision);
        m.put("recall", recall);
        m.put("f1", f1);
        m.put("rows", (double) rows);
        m.put("positives", (double) positives);
        return m;
    }

    /** Metrics of {@code scored}; {@code bins} are its score bins (see {@link ScoreBins#of}). */
    public static BinaryMetrics of(Dataset<Row> scored, ScoreBins bins, String labelCol, String scoreCol, double threshold, long seed) {
        Row agg = scored.agg(
                functions.count(functions.lit(1)),
                functions.sum(functions.col(labelCol)),
                functions.avg(logLoss(labelCol, scoreCol)),
                functions.avg(functions.pow(functions.col(scoreCol).minus(functions.col(labelCol)), 2))).first();
        long rows = agg.getLong(0);
        long positives = agg.isNullAt(1) ? 0 : Math.round(((Number) agg.get(1)).doubleValue());
        if (rows == 0) throw new IllegalArgumentException("no rows to evaluate");
        double auc = Double.NaN;
        double[] ci = {Double.NaN, Double.NaN};
        if (positives > 0 && positives < rows) {
            auc = new BinaryClassificationEvaluator()
                    .setLabelCol(labelCol).setRawPredictionCol(scoreCol).setMetricName("areaUnderROC")
                    .setNumBins(0).evaluate(scored);
            ci = bins.aucInterval(BOOTSTRAP_REPLICATES, CI_LEVEL, seed);
        }
        long[] c = bins.confusion(threshold);
        double tp = c[0], fp = c[1], tn = c[2], fn = c[3];
        double precision = tp + fp == 0 ? Double.NaN : tp / (tp + fp);
        double recall = tp + fn == 0 ? Double.NaN : tp / (tp + fn);
        double f1 = tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn);
        return new BinaryMetrics(auc, ci[0], ci[1], bins.averagePrecision(), agg.getDouble(2), agg.getDouble(3), threshold,
                (tp + tn) / rows, precision, recall, f1, rows, positives);
    }
}
