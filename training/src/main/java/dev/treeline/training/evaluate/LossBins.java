package dev.treeline.training.evaluate;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Counts and sums of a non-negative per-row loss in fine bins on a log scale (one Spark aggregation,
 * a few thousand rows to the driver), for the Poisson bootstrap of a mean loss: a bin's resampled
 * count is Poisson(its count), its loss its mean loss. Within-bin spread is below 0.5% of the loss.
 */
final class LossBins {
    static final double PER_UNIT = 200;

    private final long[] counts;
    private final double[] sums;

    private LossBins(long[] counts, double[] sums) {
        this.counts = counts;
        this.sums = sums;
    }

    static LossBins of(Dataset<Row> rows, Column loss) {
        Column bin = functions.floor(functions.log1p(loss).multiply(PER_UNIT)).cast("int").as("bin");
        List<Row> out = rows.select(bin, loss.as("loss")).groupBy("bin").agg(functions.count(functions.lit(1)), functions.sum("loss")).collectAsList();
        long[] counts = new long[out.size()];
        double[] sums = new double[out.size()];
        for (int i = 0; i < out.size(); i++) {
            counts[i] = out.get(i).getLong(1);
            sums[i] = out.get(i).getDouble(2);
        }
        return new LossBins(counts, sums);
    }

    /** Percentile interval of the mean loss (or of its square root, for RMSE). */
    double[] meanInterval(int replicates, double level, long seed, boolean sqrt) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] stats = new double[replicates];
        for (int r = 0; r < replicates; r++) {
            double n = 0;
            double s = 0;
            for (int b = 0; b < counts.length; b++) {
                long c = ScoreBins.poisson(random, counts[b]);
                n += c;
                s += c * (sums[b] / counts[b]);
            }
            double mean = n == 0 ? Double.NaN : s / n;
            stats[r] = sqrt ? Math.sqrt(mean) : mean;
        }
        Arrays.sort(stats);
        double alpha = (1 - level) / 2;
        return new double[] {stats[(int) Math.floor(alpha * (replicates - 1))], stats[(int) Math.ceil((1 - alpha) * (replicates - 1))]};
    }
}
