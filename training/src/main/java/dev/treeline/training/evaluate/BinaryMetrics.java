package dev.treeline.training.evaluate;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/** Exact ROC AUC (no binning) and log loss of probability scores against 0/1 labels. */
public record BinaryMetrics(
        @JsonProperty("auc") double auc,
        @JsonProperty("logloss") double logloss,
        @JsonProperty("rows") long rows,
        @JsonProperty("positives") long positives) {

    private static final double EPS = 1e-15;

    public static BinaryMetrics of(Dataset<Row> scored, String labelCol, String scoreCol) {
        Row agg = scored.agg(
                functions.count(functions.lit(1)),
                functions.sum(functions.col(labelCol)),
                functions.avg(functions.expr(String.format(
                        "-(%1$s * ln(greatest(least(%2$s, %4$s), %3$s)) + (1 - %1$s) * ln(1 - greatest(least(%2$s, %4$s), %3$s)))",
                        "`" + labelCol + "`", "`" + scoreCol + "`", EPS, 1 - EPS)))).first();
        long rows = agg.getLong(0);
        long positives = agg.isNullAt(1) ? 0 : Math.round(((Number) agg.get(1)).doubleValue());
        if (rows == 0) throw new IllegalArgumentException("no rows to evaluate");
        double auc = Double.NaN;
        if (positives > 0 && positives < rows) {
            auc = new BinaryClassificationEvaluator()
                    .setLabelCol(labelCol).setRawPredictionCol(scoreCol).setMetricName("areaUnderROC")
                    .setNumBins(0).evaluate(scored);
        }
        return new BinaryMetrics(auc, agg.getDouble(2), rows, positives);
    }
}
