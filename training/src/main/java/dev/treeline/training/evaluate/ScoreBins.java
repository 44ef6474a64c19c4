package dev.treeline.training.evaluate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Positives, negatives and score sums per fixed-width score bin: one small Spark aggregation gives
 * curves, thresholds, calibration and a bootstrap, whatever the number of rows (nothing per row reaches
 * the driver). Bin {@code b} holds scores in {@code [b/n, (b+1)/n)}; thresholds are bin edges, so
 * "score ≥ threshold" is exact.
 */
public record ScoreBins(long[] pos, long[] neg, double[] scoreSum) {
    public static final int BINS = 10_000;
    /** Equal-width score groups of the calibration table and of the expected calibration error. */
    public static final int CALIBRATION_GROUPS = 10;

    public static ScoreBins of(Dataset<Row> scored, String labelCol, String scoreCol) {
        return of(scored, labelCol, scoreCol, BINS);
    }

    public static ScoreBins of(Dataset<Row> scored, String labelCol, String scoreCol, int bins) {
        long[] pos = new long[bins];
        long[] neg = new long[bins];
        double[] sum = new double[bins];
        for (Row r : scored.groupBy(bin(scoreCol, bins)).agg(functions.sum(functions.col(labelCol)), functions.count(functions.lit(1)),
                functions.sum(functions.col(scoreCol))).collectAsList()) {
            int b = r.getInt(0);
            long p = Math.round(((Number) r.get(1)).doubleValue());
            pos[b] = p;
            neg[b] = r.getLong(2) - p;
            sum[b] = r.getDouble(3);
        }
        return new ScoreBins(pos, neg, sum);
    }

    /** The bin column (an int in [0, bins)); for grouped aggregations such as slices. */
    static Column bin(String scoreCol, int bins) {
        return functions.least(functions.lit(bins - 1), functions.greatest(functions.lit(0),
                functions.floor(functions.col(scoreCol).multiply(bins)).cast("int"))).as("bin");
    }

    public int bins() {
        return pos.length;
    }

    public long positives() {
        return Arrays.stream(pos).sum();
    }

    public long negatives() {
        return Arrays.stream(neg).sum();
    }

    /** ROC AUC over the bins (ties within a bin count half): within about 1/bins of the exact value. */
    public double auc() {
        return auc(pos, neg);
    }

    static double auc(long[] pos, long[] neg) {
        double p = 0, n = 0, area = 0;
        for (int b = 0; b < pos.length; b++) {
            area += pos[b] * (n + neg[b] / 2.0);
            n += neg[b];
            p += pos[b];
        }
        return p == 0 || n == 0 ? Double.NaN : area / (p * n);
    }

    /** Area under the precision-recall curve as average precision: Σ (recall step) × precision. */
    public double averagePrecision() {
        double total = positives();
        if (total == 0) return Double.NaN;
        double tp = 0, fp = 0, ap = 0;
        for (int b = bins() - 1; b >= 0; b--) {
            if (pos[b] == 0 && neg[b] == 0) continue;
            tp += pos[b];
            fp += neg[b];
            ap += (pos[b] / total) * (tp / (tp + fp));
        }
        return ap;
    }

    /** The threshold (a bin edge) with the highest F1 when rows scoring at or above it are called positive. */
    public double bestF1Threshold() {
        double total = positives();
        double tp = 0, fp = 0, best = -1;
        int bestBin = bins() / 2;
        for (int b = bins() - 1; b >= 0; b--) {
            tp += pos[b];
            fp += neg[b];
            if (pos[b] == 0 && neg[b] == 0) continue;
            double f1 = total == 0 ? 0 : 2 * tp / (tp + fp + total);
            if (f1 > best) {
                best = f1;
                bestBin = b;
            }
        }
        return (double) bestBin / bins();
    }

    /**
     * The threshold (a bin's lower edge) with the least total cost when a missed positive costs {@code fnCost}
     * and a false alarm {@code fpCost}: the decision rule a cost matrix asks for, found on these scores.
     */
    public double minCostThreshold(double fnCost, double fpCost) {
        double fn = positives();
        double fp = 0;
        double best = fnCost * fn; // threshold above every score: all predicted negative
        int bestBin = bins();
        for (int b = bins() - 1; b >= 0; b--) {
            fn -= pos[b];
            fp += neg[b];
            if (pos[b] == 0 && neg[b] == 0) continue;
            double cost = fnCost * fn + fpCost * fp;
            if (cost < best) {
                best = cost;
                bestBin = b;
            }
        }
        return Math.min(1.0, (double) bestBin / bins());
    }

    /** Counts at a threshold: {tp, fp, tn, fn}. */
    public long[] confusion(double threshold) {
        int from = (int) Math.round(threshold * bins());
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (int b = 0; b < bins(); b++) {
            if (b >= from) {
                tp += pos[b];
                fp += neg[b];
            } else {
                fn += pos[b];
                tn += neg[b];
            }
        }
        return new long[] {tp, fp, tn, fn};
    }

    /** ROC points (false positive rate, true positive rate), from (0,0) to (1,1). */
    public List<double[]> roc() {
        double p = positives(), n = negatives();
        List<double[]> out = new ArrayList<>();
        out.add(new double[] {0, 0});
        double tp = 0, fp = 0;
        for (int b = bins() - 1; b >= 0; b--) {
            if (pos[b] == 0 && neg[b] == 0) continue;
            tp += pos[b];
            fp += neg[b];
            out.add(new double[] {n == 0 ? 0 : fp / n, p == 0 ? 0 : tp / p});
        }
        return out;
    }

    /** Precision-recall points (recall, precision), highest threshold first. */
    public List<double[]> precisionRecall() {
        double p = positives();
        List<double[]> out = new ArrayList<>();
        double tp = 0, fp = 0;
        for (int b = bins() - 1; b >= 0; b--) {
            if (pos[b] == 0 && neg[b] == 0) continue;
            tp += pos[b];
            fp += neg[b];
            out.add(new double[] {p == 0 ? 0 : tp / p, tp / (tp + fp)});
        }
        return out;
    }

    /** Calibration in {@code groups} equal-width score ranges: {mean predicted, observed rate, rows}, non-empty groups only. */
    public List<double[]> calibration(int groups) {
        List<double[]> out = new ArrayList<>();
        int per = bins() / groups;
        for (int g = 0; g < groups; g++) {
            double s = 0;
            long p = 0, rows = 0;
            for (int b = g * per; b < (g == groups - 1 ? bins() : (g + 1) * per); b++) {
                s += scoreSum[b];
                p += pos[b];
                rows += pos[b] + neg[b];
            }
            if (rows > 0) out.add(new double[] {s / rows, (double) p / rows, rows});
        }
        return out;
    }

    /** Expected calibration error over {@code groups} equal-width score groups: |mean score − positive rate|, weighted by rows. */
    public double ece(int groups) {
        double sum = 0;
        double total = 0;
        for (double[] g : calibration(groups)) {
            sum += g[2] * Math.abs(g[0] - g[1]);
            total += g[2];
        }
        return total == 0 ? Double.NaN : sum / total;
    }

    /**
     * Percentile confidence interval of the AUC by the Poisson bootstrap: each row's weight is Poisson(1),
     * so a bin's resampled count is Poisson(its count) — the same as resampling rows, done on the bins.
     */
    public double[] aucInterval(int replicates, double level, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] aucs = new double[replicates];
        long[] p = new long[bins()];
        long[] n = new long[bins()];
        for (int r = 0; r < replicates; r++) {
            for (int b = 0; b < bins(); b++) {
                p[b] = pos[b] == 0 ? 0 : poisson(random, pos[b]);
                n[b] = neg[b] == 0 ? 0 : poisson(random, neg[b]);
            }
            aucs[r] = auc(p, n);
        }
        double[] valid = Arrays.stream(aucs).filter(a -> !Double.isNaN(a)).sorted().toArray();
        if (valid.length == 0) return new double[] {Double.NaN, Double.NaN};
        double tail = (1 - level) / 2;
        return new double[] {quantile(valid, tail), quantile(valid, 1 - tail)};
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Poisson draw: Knuth's product method for small means, a rounded normal above 30 (ample for a bootstrap). */
    static long poisson(SplittableRandom random, double mean) {
        if (mean < 30) {
            double limit = Math.exp(-mean), product = random.nextDouble();
            long k = 0;
            while (product > limit) {
                product *= random.nextDouble();
                k++;
            }
            return k;
        }
        double u1 = random.nextDouble(), u2 = random.nextDouble();
        double z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
        return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
    }
}
