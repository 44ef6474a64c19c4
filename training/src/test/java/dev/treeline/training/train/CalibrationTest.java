package dev.treeline.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.format.Calibration;
import dev.treeline.pipelines.format.ModelMeta;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.util.Json;
import dev.treeline.training.evaluate.ScoreBins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.ml.regression.IsotonicRegression;
import org.apache.spark.ml.regression.IsotonicRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration fitted by Spark, applied by the bundle's one definition; refit's round count; the cost threshold. */
class CalibrationTest {
    @TempDir Path tmp;

    /** Scores that are too confident: the true probability of a score s is 0.5 + (s - 0.5) / 2. */
    private static Dataset<Row> overconfident(SparkSession spark, int n) {
        SplittableRandom r = new SplittableRandom(3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double s = r.nextDouble();
            double truth = 0.5 + (s - 0.5) / 2;
            rows.add(RowFactory.create(s, r.nextDouble() < truth ? 1.0 : 0.0));
        }
        return spark.createDataFrame(rows, new StructType().add("score", DataTypes.DoubleType).add("label", DataTypes.DoubleType));
    }

    @Test
    void isotonicCalibrationAppliesAsSparkPredictsAndSurvivesTheBundleJson() throws Exception {
        SparkSession spark = TestSpark.session();
        Dataset<Row> scored = overconfident(spark, 20_000).cache();
        Calibration c = Calibrator.fit(scored, "score", "label", Calibration.ISOTONIC);
        IsotonicRegressionModel spark_ = new IsotonicRegression().setFeaturesCol("score").setLabelCol("label").fit(scored);
        SplittableRandom r = new SplittableRandom(9);
        double worst = 0;
        for (int i = 0; i < 2000; i++) {
            double s = r.nextDouble();
            double expected = Math.min(1 - Calibration.EPS, Math.max(Calibration.EPS, spark_.predict(s)));
            worst = Math.max(worst, Math.abs(c.apply(s) - expected));
        }
        assertTrue(worst <= 1e-12, "max |apply - Spark predict| = " + worst);
        assertEquals(0.5 + (0.9 - 0.5) / 2, c.apply(0.9), 0.05, "the calibrated probability is the true one");

        // Written in treeline-model.json and read back: the same function.
        ModelMeta meta = new ModelMeta(1, "binary:logistic", 9, 10, List.of("a"), "y = 1", Map.of(), Map.of(), "now", 0, c);
        Path file = tmp.resolve("meta.json");
        Files.writeString(file, Json.write(meta));
        Calibration back = Json.read(file, ModelMeta.class).calibration();
        for (double s = 0; s <= 1.0; s += 0.001) assertEquals(c.apply(s), back.apply(s), 0.0);
        scored.unpersist();
    }

    @Test
    void plattCalibrationShrinksOverconfidentScores() {
        Calibration c = Calibrator.fit(overconfident(TestSpark.session(), 20_000), "score", "label", Calibration.PLATT);
        assertTrue(c.a() > 0 && c.a() < 1, "a slope under 1 pulls scores toward the middle: " + c.describe());
        assertTrue(c.apply(0.99) < 0.9 && c.apply(0.01) > 0.1, c.describe());
        assertEquals(0.5, c.apply(0.5), 0.03);
    }

    @Test
    void refitScalesTheEarlyStoppedRoundsWithTheRows() {
        assertEquals(125, Refit.scaledRounds(100, 800, 200));
        assertEquals(100, Refit.scaledRounds(100, 800, 0));
        assertEquals(1, Refit.scaledRounds(1, 1000, 1));
    }

    @Test
    void aCostMatrixMovesTheThresholdTowardTheCheaperError() {
        // Scores spread evenly; positives rise with the score.
        int bins = 100;
        long[] pos = new long[bins];
        long[] neg = new long[bins];
        double[] sum = new double[bins];
        for (int b = 0; b < bins; b++) {
            pos[b] = b;
            neg[b] = bins - b;
        }
        ScoreBins sb = new ScoreBins(pos, neg, sum);
        double even = sb.minCostThreshold(1, 1);
        double missesCostFive = sb.minCostThreshold(5, 1);
        assertEquals(0.5, even, 0.011);
        // Predict positive where p(positive) > 1/6: the bin where b / 100 > 1/6.
        assertEquals(1.0 / 6, missesCostFive, 0.011);
    }
}
