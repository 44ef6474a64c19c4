package dev.treeline.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PsiTest {
    static double[] normal(int n, double mean, long seed) {
        Random r = new Random(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = mean + r.nextGaussian();
        return out;
    }

    @Test
    void theSameDistributionIsStableAndAShiftedOneIsNot() {
        double[] reference = normal(1000, 0, 1);
        double[] edges = Psi.edges(reference);
        assertEquals(9, edges.length);
        long[] ref = Psi.counts(reference, edges);
        double same = Psi.psi(ref, Psi.counts(normal(50_000, 0, 2), edges));
        double shifted = Psi.psi(ref, Psi.counts(normal(50_000, 1, 3), edges));
        assertTrue(same < 0.03, "same distribution: " + same);
        assertTrue(shifted > 0.25, "shifted by one sd: " + shifted);
    }

    @Test
    void missingValuesHaveTheirOwnBinAndCountAsDrift() {
        double[] edges = {1, 2, 3};
        assertArrayEquals(new long[] {2, 1, 1, 1, 2}, Psi.counts(new double[] {Double.NaN, Double.NaN, 0.5, 1, 2, 3.5, 9}, edges));
        long[] ref = {0, 25, 25, 25, 25};
        long[] allMissing = {100, 0, 0, 0, 0};
        assertTrue(Psi.psi(ref, allMissing) > 5, "a feature that went missing has drifted");
        assertEquals(0.0, Psi.psi(ref, ref), 1e-12);
    }

    @Test
    void valuesOnAnEdgeGoToTheBinAbove() {
        double[] edges = {1, 2};
        assertEquals(1, Psi.bin(0.99, edges));
        assertEquals(2, Psi.bin(1.0, edges));
        assertEquals(3, Psi.bin(2.0, edges));
        assertEquals(0, Psi.bin(Double.NaN, edges));
    }

    @Test
    void aConstantReferenceHasOneCutPoint() {
        assertArrayEquals(new double[] {4.0}, Psi.edges(new double[] {4, 4, 4, 4, Double.NaN}));
        assertEquals(0, Psi.edges(new double[] {Double.NaN}).length);
    }
}
