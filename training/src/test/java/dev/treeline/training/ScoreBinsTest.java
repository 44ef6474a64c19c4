package dev.treeline.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.training.evaluate.ScoreBins;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Curves, thresholds and the bootstrap computed from score bins, checked against direct computations. */
class ScoreBinsTest {
    /** Bins of 10: positives at scores 0.95, 0.85, 0.55, 0.35; negatives at 0.75, 0.45, 0.15, 0.05. */
    static ScoreBins small() {
        long[] pos = new long[10];
        long[] neg = new long[10];
        double[] sum = new double[10];
        for (double s : new double[] {0.95, 0.85, 0.55, 0.35}) {
            pos[(int) (s * 10)]++;
            sum[(int) (s * 10)] += s;
        }
        for (double s : new double[] {0.75, 0.45, 0.15, 0.05}) {
            neg[(int) (s * 10)]++;
            sum[(int) (s * 10)] += s;
        }
        return new ScoreBins(pos, neg, sum);
    }

    @Test
    void aucAveragePrecisionAndThresholdMatchAHandCount() {
        ScoreBins b = small();
        // Pairs ranked right: 0.95 and 0.85 beat all 4 negatives; 0.55 beats 3; 0.35 beats 2: 13 of 16.
        assertEquals(13.0 / 16, b.auc(), 1e-12);
        // Descending: P(1/1) at r=.25, P(2/2) at .5, P(3/4) at .75, P(4/6) at 1.
        assertEquals(0.25 * (1 + 1 + 0.75 + 4.0 / 6), b.averagePrecision(), 1e-12);
        // F1 by threshold: 0.9 → 0.4, 0.8 → 0.667, 0.5 → 0.75, 0.3 → 0.8: the best is 0.3.
        assertEquals(0.3, b.bestF1Threshold(), 1e-12);
        assertArrayEquals(new long[] {4, 2, 2, 0}, b.confusion(0.3));
        assertArrayEquals(new long[] {2, 1, 3, 2}, b.confusion(0.7));
        assertEquals(9, b.roc().size(), "origin plus one point per non-empty bin");
        assertArrayEquals(new double[] {1, 1}, b.roc().get(8));
    }

    @Test
    void calibrationGroupsMeanPredictionAgainstObservedRate() {
        var c = small().calibration(2);
        assertEquals(2, c.size());
        assertArrayEquals(new double[] {(0.35 + 0.45 + 0.15 + 0.05) / 4, 0.25, 4}, c.get(0), 1e-12);
        assertArrayEquals(new double[] {(0.95 + 0.85 + 0.55 + 0.75) / 4, 0.75, 4}, c.get(1), 1e-12);
    }

    @Test
    void bootstrapIntervalIsReproducibleAndCoversTheTrueAucAtAboutItsLevel() {
        // Scores ~ N(0.6, 0.15) for positives, N(0.4, 0.15) for negatives: true AUC = Φ(0.2 / (0.15·√2)) ≈ 0.8275.
        double truth = 0.8275;
        int covered = 0;
        int trials = 40;
        Random r = new Random(1);
        for (int t = 0; t < trials; t++) {
            long[] pos = new long[1000];
            long[] neg = new long[1000];
            for (int i = 0; i < 500; i++) {
                pos[clamp(0.6 + 0.15 * r.nextGaussian())]++;
                neg[clamp(0.4 + 0.15 * r.nextGaussian())]++;
            }
            ScoreBins b = new ScoreBins(pos, neg, new double[1000]);
            double[] ci = b.aucInterval(400, 0.95, 7);
            assertArrayEquals(ci, b.aucInterval(400, 0.95, 7), "same seed, same interval");
            assertTrue(ci[0] < b.auc() && b.auc() < ci[1]);
            if (ci[0] <= truth && truth <= ci[1]) covered++;
        }
        assertTrue(covered >= 34, "a 95% interval covers the truth in most of 40 samples: " + covered);
    }

    private static int clamp(double s) {
        return (int) Math.max(0, Math.min(999, Math.floor(s * 1000)));
    }
}
