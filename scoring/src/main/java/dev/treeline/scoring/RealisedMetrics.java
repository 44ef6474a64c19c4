package dev.treeline.scoring;

import dev.treeline.pipelines.format.Task;
import dev.treeline.training.evaluate.BinaryMetrics;
import dev.treeline.training.evaluate.ScoreBins;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The served model's metrics on rows whose labels arrived, with the evaluate step's definitions: binary
 * AUC with its bootstrap 95 % CI, log loss, Brier score, expected calibration error (10 score groups) and the
 * positive rate; regression RMSE and MAE; multiclass accuracy of the predicted class.
 */
public final class RealisedMetrics {
    private RealisedMetrics() {}

    public static Map<String, Double> of(Task task, Dataset<Row> scored, String label, String score, long seed) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (task == Task.BINARY) {
            ScoreBins bins = ScoreBins.of(scored, label, score);
            BinaryMetrics b = BinaryMetrics.of(scored, bins, label, score, 0.5, seed);
            m.put("auc", b.auc());
            m.put("auc_ci_low", b.aucCiLow());
            m.put("auc_ci_high", b.aucCiHigh());
            m.put("logloss", b.logloss());
            m.put("brier", b.brier());
            m.put("positive_rate", b.rows() == 0 ? Double.NaN : b.positives() / (double) b.rows());
            m.put("calibration_error", calibrationError(bins.calibration(10)));
            m.put("rows", (double) b.rows());
        } else {
            Row r = scored.agg(functions.sqrt(functions.avg(functions.pow(functions.col(score).minus(functions.col(label)), 2))),
                    functions.avg(functions.abs(functions.col(score).minus(functions.col(label)))), functions.count(functions.lit(1))).first();
            if (task == Task.REGRESSION) {
                m.put("rmse", r.isNullAt(0) ? Double.NaN : r.getDouble(0));
                m.put("mae", r.isNullAt(1) ? Double.NaN : r.getDouble(1));
            }
            m.put("rows", (double) r.getLong(2));
        }
        return m;
    }

    /** Rows-weighted mean |mean score - positive rate| over the groups ({@code [mean score, positive rate, rows]} each). */
    static double calibrationError(List<double[]> groups) {
        double rows = 0;
        double sum = 0;
        for (double[] g : groups) {
            rows += g[2];
            sum += g[2] * Math.abs(g[0] - g[1]);
        }
        return rows == 0 ? Double.NaN : sum / rows;
    }
}
