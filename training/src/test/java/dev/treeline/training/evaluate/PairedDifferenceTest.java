package dev.treeline.training.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.format.Evaluation;
import dev.treeline.pipelines.format.Task;
import dev.treeline.pipelines.testing.TestSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The paired interval against a row-level paired bootstrap computed here, row by row, with exact AUCs. */
class PairedDifferenceTest {
    static final int ROWS = 3000;
    final SparkSession spark = TestSpark.session();
    final StructType schema = new StructType().add(PairedDifference.ROW_ID, DataTypes.LongType).add("label", DataTypes.DoubleType)
            .add("score", DataTypes.DoubleType);

    @Test
    void aucDifferenceIntervalMatchesARowLevelPairedBootstrap() {
        Random r = new Random(3);
        double[] label = new double[ROWS], a = new double[ROWS], b = new double[ROWS];
        for (int i = 0; i < ROWS; i++) {
            label[i] = r.nextDouble() < 0.3 ? 1 : 0;
            double signal = label[i] * 0.8 + r.nextGaussian();
            a[i] = sigmoid(signal + 0.3 * r.nextGaussian());      // candidate: less noise
            b[i] = sigmoid(signal + 0.9 * r.nextGaussian());      // champion: more noise, correlated with the candidate
        }
        Map<String, Double> ma = Map.of("auc", auc(label, a, null), "logloss", 0.0, "brier", 0.0);
        Map<String, Double> mb = Map.of("auc", auc(label, b, null), "logloss", 0.0, "brier", 0.0);
        Map<String, Evaluation.Delta> d = PairedDifference.of(Task.BINARY, frame(label, a), frame(label, b), "label", "score", null, ma, mb,
                1000, 11);
        Evaluation.Delta auc = d.get("auc");
        assertEquals(ma.get("auc") - mb.get("auc"), auc.delta(), 1e-12);

        // Reference: resample rows (Poisson(1) weights, the same in both models), exact AUC of each.
        double[] ref = new double[1000];
        Random w = new Random(5);
        for (int k = 0; k < ref.length; k++) {
            double[] weight = new double[ROWS];
            for (int i = 0; i < ROWS; i++) weight[i] = poisson1(w);
            ref[k] = auc(label, a, weight) - auc(label, b, weight);
        }
        Arrays.sort(ref);
        double lo = ref[24], hi = ref[975];
        assertTrue(auc.ciLow() > 0, "the better model's interval excludes zero: " + auc);
        assertEquals(lo, auc.ciLow(), 0.006, "low end vs row-level bootstrap " + lo);
        assertEquals(hi, auc.ciHigh(), 0.006, "high end vs row-level bootstrap " + hi);
        // Paired: much narrower than the two models' separate intervals would suggest.
        assertTrue(hi - lo < 0.06, "width " + (hi - lo));
    }

    @Test
    void theSameModelOnBothSidesHasAZeroWidthInterval() {
        Random r = new Random(4);
        double[] label = new double[500], a = new double[500];
        for (int i = 0; i < 500; i++) {
            label[i] = r.nextDouble() < 0.5 ? 1 : 0;
            a[i] = sigmoid(label[i] + r.nextGaussian());
        }
        Map<String, Double> m = Map.of("auc", auc(label, a, null), "logloss", 0.5, "brier", 0.2);
        Map<String, Evaluation.Delta> d = PairedDifference.of(Task.BINARY, frame(label, a), frame(label, a), "label", "score", null, m, m, 200, 1);
        for (Evaluation.Delta x : d.values()) {
            assertEquals(0.0, x.delta(), 0.0);
            assertEquals(0.0, x.ciLow(), 1e-12);
            assertEquals(0.0, x.ciHigh(), 1e-12);
        }
    }

    @Test
    void regressionDifferencesOfRmseAndMae() {
        Random r = new Random(6);
        int n = 2000;
        double[] label = new double[n], a = new double[n], b = new double[n];
        double sa = 0, sb = 0, aa = 0, ab = 0;
        for (int i = 0; i < n; i++) {
            label[i] = r.nextGaussian() * 3;
            a[i] = label[i] + r.nextGaussian();
            b[i] = label[i] + 1.5 * r.nextGaussian();
            sa += Math.pow(a[i] - label[i], 2);
            sb += Math.pow(b[i] - label[i], 2);
            aa += Math.abs(a[i] - label[i]);
            ab += Math.abs(b[i] - label[i]);
        }
        Map<String, Double> ma = Map.of("rmse", Math.sqrt(sa / n), "mae", aa / n);
        Map<String, Double> mb = Map.of("rmse", Math.sqrt(sb / n), "mae", ab / n);
        Map<String, Evaluation.Delta> d = PairedDifference.of(Task.REGRESSION, frame(label, a), frame(label, b), "label", "score", null,
                ma, mb, 500, 2);
        Evaluation.Delta rmse = d.get("rmse");
        assertEquals(Math.sqrt(sa / n) - Math.sqrt(sb / n), rmse.delta(), 1e-12);
        assertTrue(rmse.ciLow() < rmse.delta() && rmse.delta() < rmse.ciHigh() && rmse.ciHigh() < 0, "the candidate's error is lower: " + rmse);
        assertTrue(d.get("mae").ciHigh() < 0, d.toString());
    }

    private Dataset<Row> frame(double[] label, double[] score) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < label.length; i++) rows.add(RowFactory.create((long) i, label[i], score[i]));
        return spark.createDataFrame(rows, schema);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static int poisson1(Random r) {
        double l = Math.exp(-1), p = 1;
        int k = 0;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** Weighted exact AUC (Mann-Whitney with ties counted half). */
    private static double auc(double[] label, double[] score, double[] weight) {
        Integer[] idx = new Integer[label.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (x, y) -> Double.compare(score[x], score[y]));
        double negBelow = 0, area = 0, pos = 0, neg = 0;
        int i = 0;
        while (i < idx.length) {
            int j = i;
            double p = 0, q = 0;
            while (j < idx.length && score[idx[j]] == score[idx[i]]) {
                double wt = weight == null ? 1 : weight[idx[j]];
                if (label[idx[j]] == 1) p += wt;
                else q += wt;
                j++;
            }
            area += p * (negBelow + 0.5 * q);
            negBelow += q;
            pos += p;
            neg += q;
            i = j;
        }
        return area / (pos * neg);
    }
}
