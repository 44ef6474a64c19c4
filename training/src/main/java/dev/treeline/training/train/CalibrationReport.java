package dev.treeline.training.train;

import dev.treeline.pipelines.format.Calibration;
import dev.treeline.training.evaluate.BinaryMetrics;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Log loss and expected calibration error (10 equal-width bins) of validation scores without and with a
 * calibration: what the MLflow run shows beside the calibration it ships. Both are measured on the rows the
 * calibration was fitted on, so the calibrated figures are optimistic; the evaluate step measures the holdout.
 */
final class CalibrationReport {
    static final int BINS = 10;

    private CalibrationReport() {}

    static Map<String, Double> of(Dataset<Row> scored, String scoreCol, String labelCol, Calibration c) {
        UserDefinedFunction calibrate = functions.udf((UDF1<Double, Double>) c::apply, DataTypes.DoubleType);
        Dataset<Row> both = scored.select(functions.col(scoreCol).as("raw"), calibrate.apply(functions.col(scoreCol)).as("cal"),
                functions.col(labelCol).as("y"));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("calibration_validation_logloss_raw", BinaryMetrics.meanLogLoss(both, "y", "raw"));
        m.put("calibration_validation_logloss_calibrated", BinaryMetrics.meanLogLoss(both, "y", "cal"));
        m.put("calibration_validation_ece_raw", ece(both, "raw"));
        m.put("calibration_validation_ece_calibrated", ece(both, "cal"));
        return m;
    }


    /** Sum over bins of |mean score - positive rate| weighted by the bin's share of rows. */
    static double ece(Dataset<Row> d, String col) {
        Column bin = functions.least(functions.floor(functions.col(col).multiply(BINS)), functions.lit(BINS - 1));
        Dataset<Row> bins = d.groupBy(bin.as("b")).agg(functions.count(functions.lit(1)).as("n"), functions.avg(col).as("s"), functions.avg("y").as("r"));
        double total = 0;
        double sum = 0;
        for (Row r : bins.collectAsList()) {
            long n = r.getLong(1);
            total += n;
            sum += n * Math.abs(r.getDouble(2) - r.getDouble(3));
        }
        return total == 0 ? Double.NaN : sum / total;
    }
}
