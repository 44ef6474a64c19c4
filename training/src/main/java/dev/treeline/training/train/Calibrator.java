package dev.treeline.training.train;

import dev.treeline.pipelines.format.Calibration;
import java.util.Arrays;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.IsotonicRegression;
import org.apache.spark.ml.regression.IsotonicRegressionModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Fits a {@link Calibration} on held-out predictions (score and 0/1 label columns) with Spark ML, so the
 * fit is distributed however many validation rows there are; applying it is {@link Calibration#apply}.
 */
final class Calibrator {
    private Calibrator() {}

    static Calibration fit(Dataset<Row> scored, String scoreCol, String labelCol, String method) {
        return switch (method) {
            case Calibration.PLATT -> platt(scored, scoreCol, labelCol);
            case Calibration.ISOTONIC -> isotonic(scored, scoreCol, labelCol);
            default -> throw new IllegalArgumentException(method);
        };
    }

    /** Logistic regression of the label on the score's logit, unregularised: two numbers. */
    private static Calibration platt(Dataset<Row> scored, String scoreCol, String labelCol) {
        Column c = functions.least(functions.greatest(functions.col(scoreCol), functions.lit(Calibration.EPS)), functions.lit(1 - Calibration.EPS));
        Dataset<Row> in = scored.select(functions.log(c.divide(functions.lit(1).minus(c))).as("__logit"), functions.col(labelCol).as("__y"));
        Dataset<Row> vec = new VectorAssembler().setInputCols(new String[] {"__logit"}).setOutputCol("__x").transform(in);
        LogisticRegressionModel m = new LogisticRegression().setFeaturesCol("__x").setLabelCol("__y").setRegParam(0.0)
                .setStandardization(false).setMaxIter(100).fit(vec);
        return Calibration.platt(m.coefficients().apply(0), m.intercept());
    }

    /** Pool-adjacent-violators on the scores, increasing; the points are Spark's boundaries and predictions. */
    private static Calibration isotonic(Dataset<Row> scored, String scoreCol, String labelCol) {
        Dataset<Row> in = scored.select(functions.col(scoreCol).cast("double").as("__s"), functions.col(labelCol).cast("double").as("__y"));
        IsotonicRegressionModel m = new IsotonicRegression().setFeaturesCol("__s").setLabelCol("__y").setIsotonic(true).fit(in);
        double[] x = m.boundaries().toArray();
        double[] y = m.predictions().toArray();
        // Equal boundaries (one score shared by a pooled block's ends) would make interpolation divide by zero: keep the last.
        int n = 0;
        double[] ux = new double[x.length];
        double[] uy = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            if (n > 0 && ux[n - 1] == x[i]) {
                uy[n - 1] = y[i];
            } else {
                ux[n] = x[i];
                uy[n] = y[i];
                n++;
            }
        }
        return Calibration.isotonic(Arrays.copyOf(ux, n), Arrays.copyOf(uy, n));
    }
}
