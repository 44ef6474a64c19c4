package dev.treeline.training.train;

import dev.treeline.pipelines.format.Calibration;
import dev.treeline.training.evaluate.BinaryMetrics;
import dev.treeline.training.evaluate.ScoreBins;
import java.util.LinkedHashMap;
import java.util.Map;
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
    private CalibrationReport() {}

    static Map<String, Double> of(Dataset<Row> scored, String scoreCol, String labelCol, Calibration c) {
        UserDefinedFunction calibrate = functions.udf((UDF1<Double, Double>) c::apply, DataTypes.DoubleType);
        Dataset<Row> both = scored.select(functions.col(scoreCol).as("raw"), calibrate.apply(functions.col(scoreCol)).as("cal"),
                functions.col(labelCol).as("y"));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("calibration_validation_logloss_raw", BinaryMetrics.meanLogLoss(both, "y", "raw"));
        m.put("calibration_validation_logloss_calibrated", BinaryMetrics.meanLogLoss(both, "y", "cal"));
        m.put("calibration_validation_ece_raw", ScoreBins.of(both, "y", "raw").ece(ScoreBins.CALIBRATION_GROUPS));
        m.put("calibration_validation_ece_calibrated", ScoreBins.of(both, "y", "cal").ece(ScoreBins.CALIBRATION_GROUPS));
        return m;
    }
}
