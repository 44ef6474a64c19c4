package dev.treeline.training.evaluate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Holdout metrics of regression and multiclass models, headline with a 95% Poisson-bootstrap
 * interval: RMSE (with MAE and R²) for regression; multiclass log loss (with accuracy and macro F1)
 * for multiclass, plus the confusion matrix.
 */
final class TaskMetrics {
    private static final double EPS = 1e-15;

    private TaskMetrics() {}

    static Map<String, Double> regression(Dataset<Row> scored, String labelCol, String scoreCol, long seed) {
        Column err = functions.col(scoreCol).minus(functions.col(labelCol));
        Row r = scored.agg(functions.count(functions.lit(1)), functions.avg(functions.pow(err, 2)), functions.avg(functions.abs(err)),
                functions.var_pop(functions.col(labelCol)), functions.avg(functions.col(labelCol)), functions.avg(functions.col(scoreCol))).first();
        long rows = r.getLong(0);
        if (rows == 0) throw new IllegalArgumentException("no rows to evaluate");
        double mse = r.getDouble(1);
        double[] ci = LossBins.of(scored, functions.pow(err, 2)).meanInterval(BinaryMetrics.BOOTSTRAP_REPLICATES, BinaryMetrics.CI_LEVEL, seed, true);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rmse", Math.sqrt(mse));
        m.put("rmse_ci_low", ci[0]);
        m.put("rmse_ci_high", ci[1]);
        m.put("mae", r.getDouble(2));
        double variance = r.isNullAt(3) ? Double.NaN : r.getDouble(3);
        m.put("r2", variance > 0 ? 1 - mse / variance : Double.NaN);
        m.put("mean_label", r.getDouble(4));
        m.put("mean_prediction", r.getDouble(5));
        m.put("rows", (double) rows);
        return m;
    }

    /** Metrics and the confusion matrix ({@code [actual][predicted]} counts). */
    record Multiclass(Map<String, Double> metrics, long[][] confusion) {}

    /** Per-row multiclass log loss: minus the log of the true class's probability, clipped at 1e-15. */
    static Column multiclassLoss(String labelCol, String probabilitiesCol) {
        Column pTrue = functions.element_at(functions.col(probabilitiesCol), functions.col(labelCol).cast("int").plus(1));
        return functions.log(functions.greatest(pTrue, functions.lit(EPS))).multiply(-1);
    }

    static Multiclass multiclass(Dataset<Row> scored, String labelCol, String predictedCol, String probabilitiesCol, int numClass, long seed) {
        Column loss = multiclassLoss(labelCol, probabilitiesCol);
        Row r = scored.agg(functions.count(functions.lit(1)), functions.avg(loss)).first();
        long rows = r.getLong(0);
        if (rows == 0) throw new IllegalArgumentException("no rows to evaluate");
        long[][] confusion = new long[numClass][numClass];
        List<Row> cells = scored.groupBy(functions.col(labelCol).cast("int"), functions.col(predictedCol).cast("int")).count().collectAsList();
        for (Row c : cells) confusion[c.getInt(0)][c.getInt(1)] = c.getLong(2);
        long correct = 0;
        double f1Sum = 0;
        int present = 0;
        for (int k = 0; k < numClass; k++) {
            long tp = confusion[k][k];
            long actual = 0;
            long predicted = 0;
            for (int j = 0; j < numClass; j++) {
                actual += confusion[k][j];
                predicted += confusion[j][k];
            }
            correct += tp;
            // Macro F1 over the classes that occur in the holdout or are predicted (scikit-learn's labels=None).
            if (actual + predicted == 0) continue;
            present++;
            f1Sum += 2.0 * tp / (actual + predicted);
        }
        double[] ci = LossBins.of(scored, loss).meanInterval(BinaryMetrics.BOOTSTRAP_REPLICATES, BinaryMetrics.CI_LEVEL, seed, false);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mlogloss", r.getDouble(1));
        m.put("mlogloss_ci_low", ci[0]);
        m.put("mlogloss_ci_high", ci[1]);
        m.put("accuracy", (double) correct / rows);
        m.put("macro_f1", present == 0 ? Double.NaN : f1Sum / present);
        m.put("rows", (double) rows);
        return new Multiclass(m, confusion);
    }
}
