package dev.treeline.scoring;

import java.util.Arrays;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Population stability index: bins cut at the reference's deciles (plus one bin for missing values), then
 * sum over bins of (current% - reference%) * ln(current% / reference%), empty bins counted as 0.01 %.
 * Rules of thumb: below 0.1 stable, 0.1-0.25 moderate shift, above 0.25 a shift worth acting on.
 */
public final class Psi {
    public static final int BINS = 10;
    private static final double FLOOR = 1e-4;

    private Psi() {}

    /** Cut points at the reference's deciles, distinct and increasing (NaNs ignored); empty when all are missing. */
    public static double[] edges(double[] reference) {
        double[] v = Arrays.stream(reference).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return new double[0];
        double[] cuts = new double[BINS - 1];
        for (int i = 1; i < BINS; i++) cuts[i - 1] = v[(int) Math.min(v.length - 1, Math.floor(i * (double) v.length / BINS))];
        return Arrays.stream(cuts).distinct().toArray();
    }

    /** Bin of a value: 0 for missing (NaN), else 1 + the number of edges at or below it. */
    public static int bin(double x, double[] edges) {
        if (Double.isNaN(x)) return 0;
        int i = Arrays.binarySearch(edges, x);
        // Values equal to an edge fall in the bin above it, as a value just above does.
        return 1 + (i >= 0 ? i + 1 : -i - 1);
    }

    public static long[] counts(double[] values, double[] edges) {
        long[] c = new long[edges.length + 2];
        for (double x : values) c[bin(x, edges)]++;
        return c;
    }

    public static double psi(long[] reference, long[] current) {
        long rt = Arrays.stream(reference).sum();
        long ct = Arrays.stream(current).sum();
        if (rt == 0 || ct == 0) return Double.NaN;
        double sum = 0;
        for (int i = 0; i < reference.length; i++) {
            double r = Math.max(FLOOR, reference[i] / (double) rt);
            double c = Math.max(FLOOR, current[i] / (double) ct);
            sum += (c - r) * Math.log(c / r);
        }
        return sum;
    }

    /** Bin counts of one double column, computed on the executors. */
    public static long[] counts(Dataset<Row> rows, String column, double[] edges) {
        int n = edges.length + 2;
        return rows.select("`" + column + "`").toJavaRDD().aggregate(new long[n], (acc, r) -> {
            acc[bin(r.isNullAt(0) ? Double.NaN : ((Number) r.get(0)).doubleValue(), edges)]++;
            return acc;
        }, Psi::add);
    }

    /** Bin counts of every element of a vector column ({@code edges[f]} for feature f), in one pass on the executors. */
    public static long[][] vectorCounts(Dataset<Row> rows, String vectorColumn, double[][] edges) {
        long[][] zero = new long[edges.length][];
        for (int f = 0; f < edges.length; f++) zero[f] = new long[edges[f].length + 2];
        return rows.select("`" + vectorColumn + "`").toJavaRDD().aggregate(zero, (acc, r) -> {
            Vector v = (Vector) r.get(0);
            for (int f = 0; f < acc.length; f++) acc[f][bin(v.apply(f), edges[f])]++;
            return acc;
        }, (a, b) -> {
            for (int f = 0; f < a.length; f++) add(a[f], b[f]);
            return a;
        });
    }

    private static long[] add(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        return a;
    }
}
