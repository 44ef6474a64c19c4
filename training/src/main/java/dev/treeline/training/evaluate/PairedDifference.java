package dev.treeline.training.evaluate;

import dev.treeline.pipelines.format.Evaluation.Delta;
import dev.treeline.pipelines.format.Task;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Candidate minus champion on the same holdout rows, with a 95% paired Poisson-bootstrap interval: in
 * each replicate both models see the same resampled rows, so the interval is that of the difference,
 * not two intervals side by side. The rows are joined by row id and folded into cells (label and both
 * models' score or loss bins), a few thousand rows to the driver whatever the holdout's size; a cell's
 * resampled count is Poisson(its count). The interval is centred on the exact difference: the
 * replicates' quantiles are shifted by the binned estimate's offset from it.
 */
public final class PairedDifference {
    public static final String ROW_ID = "_treeline_row_id";
    static final int SCORE_BINS = 1000;
    static final double LOSS_BINS_PER_UNIT = 100;

    /** One metric: {@code delta} = candidate − champion, and its interval. */

    private PairedDifference() {}

    /** Metrics with a paired interval, by task. */
    static List<String> metrics(Task task) {
        return switch (task) {
            case BINARY -> List.of("auc", "logloss", "brier");
            case REGRESSION -> List.of("rmse", "mae");
            case MULTICLASS -> List.of("mlogloss", "accuracy");
        };
    }

    /**
     * {@code candidate} and {@code champion}: scored rows with {@link #ROW_ID}, the label and the score
     * (binary, regression) or class probabilities and predicted class (multiclass).
     */
    static Map<String, Delta> of(Task task, Dataset<Row> candidate, Dataset<Row> champion, String labelCol, String scoreCol, String probabilitiesCol,
                                 Map<String, Double> candidateMetrics, Map<String, Double> championMetrics, int replicates, long seed) {
        Dataset<Row> a = perRow(task, candidate, labelCol, scoreCol, probabilitiesCol, "a");
        Dataset<Row> b = perRow(task, champion, labelCol, scoreCol, probabilitiesCol, "b").drop("label");
        Dataset<Row> paired = a.join(b, ROW_ID);
        Cells cells = Cells.of(task, paired);
        List<String> names = metrics(task);
        double[] binned = cells.difference(task, null);
        double[][] reps = new double[names.size()][replicates];
        SplittableRandom random = new SplittableRandom(seed);
        for (int r = 0; r < replicates; r++) {
            double[] d = cells.difference(task, random);
            for (int m = 0; m < names.size(); m++) reps[m][r] = d[m];
        }
        Map<String, Delta> out = new LinkedHashMap<>();
        double alpha = (1 - BinaryMetrics.CI_LEVEL) / 2;
        for (int m = 0; m < names.size(); m++) {
            String name = names.get(m);
            double exact = candidateMetrics.getOrDefault(name, Double.NaN) - championMetrics.getOrDefault(name, Double.NaN);
            double[] s = Arrays.stream(reps[m]).filter(v -> !Double.isNaN(v)).sorted().toArray();
            if (Double.isNaN(exact) || s.length == 0 || Double.isNaN(binned[m])) {
                out.put(name, new Delta(exact, Double.NaN, Double.NaN));
                continue;
            }
            double lo = s[(int) Math.floor(alpha * (s.length - 1))];
            double hi = s[(int) Math.ceil((1 - alpha) * (s.length - 1))];
            double shift = exact - binned[m];
            out.put(name, new Delta(exact, lo + shift, hi + shift));
        }
        return out;
    }

    /** Per row: row id, label, and what the task's metrics need of one model, suffixed {@code _a} or {@code _b}. */
    private static Dataset<Row> perRow(Task task, Dataset<Row> scored, String labelCol, String scoreCol, String probabilitiesCol, String side) {
        Column id = functions.col(ROW_ID);
        Column label = functions.col(labelCol).as("label");
        return switch (task) {
            case BINARY -> scored.select(id, label, functions.col(scoreCol).as("score_" + side),
                    BinaryMetrics.logLoss(labelCol, scoreCol).as("loss_" + side),
                    functions.pow(functions.col(scoreCol).minus(functions.col(labelCol)), 2).as("sq_" + side));
            case REGRESSION -> {
                Column err = functions.col(scoreCol).minus(functions.col(labelCol));
                yield scored.select(id, label, functions.pow(err, 2).as("sq_" + side), functions.abs(err).as("abs_" + side));
            }
            case MULTICLASS -> scored.select(id, label, TaskMetrics.multiclassLoss(labelCol, probabilitiesCol).as("loss_" + side),
                    functions.when(functions.col(scoreCol).equalTo(functions.col(labelCol)), 1.0).otherwise(0.0).as("correct_" + side));
        };
    }

    /** Cells of paired rows: two int keys (bins or flags) and a label, with a count and two sums per model. */
    private record Cells(int[] label, int[] keyA, int[] keyB, long[] count, double[] sumA1, double[] sumB1, double[] sumA2, double[] sumB2, int bins) {
        static Cells of(Task task, Dataset<Row> paired) {
            Column keyA;
            Column keyB;
            String[] sums;
            int bins;
            switch (task) {
                case BINARY -> {
                    keyA = scoreBin("score_a");
                    keyB = scoreBin("score_b");
                    sums = new String[] {"loss_a", "loss_b", "sq_a", "sq_b"};
                    bins = SCORE_BINS;
                }
                case REGRESSION -> {
                    keyA = lossBin("sq_a");
                    keyB = lossBin("sq_b");
                    sums = new String[] {"sq_a", "sq_b", "abs_a", "abs_b"};
                    bins = 0;
                }
                default -> {
                    keyA = lossBin("loss_a").multiply(2).plus(functions.col("correct_a").cast("int"));
                    keyB = lossBin("loss_b").multiply(2).plus(functions.col("correct_b").cast("int"));
                    sums = new String[] {"loss_a", "loss_b", "correct_a", "correct_b"};
                    bins = 0;
                }
            }
            List<Row> rows = paired.groupBy(functions.col("label").cast("int").as("l"), keyA.as("ka"), keyB.as("kb"))
                    .agg(functions.count(functions.lit(1)), functions.sum(sums[0]), functions.sum(sums[1]), functions.sum(sums[2]), functions.sum(sums[3]))
                    .collectAsList();
            int n = rows.size();
            Cells c = new Cells(new int[n], new int[n], new int[n], new long[n], new double[n], new double[n], new double[n], new double[n], bins);
            for (int i = 0; i < n; i++) {
                Row r = rows.get(i);
                c.label[i] = r.getInt(0);
                c.keyA[i] = r.getInt(1);
                c.keyB[i] = r.getInt(2);
                c.count[i] = r.getLong(3);
                c.sumA1[i] = r.getDouble(4);
                c.sumB1[i] = r.getDouble(5);
                c.sumA2[i] = r.getDouble(6);
                c.sumB2[i] = r.getDouble(7);
            }
            return c;
        }

        private static Column scoreBin(String col) {
            return functions.least(functions.floor(functions.col(col).multiply(SCORE_BINS)), functions.lit(SCORE_BINS - 1)).cast("int");
        }

        private static Column lossBin(String col) {
            return functions.floor(functions.log1p(functions.col(col)).multiply(LOSS_BINS_PER_UNIT)).cast("int");
        }

        /** Differences of the task's metrics (in {@link #metrics} order) with each cell's count resampled, or as is when {@code random} is null. */
        double[] difference(Task task, SplittableRandom random) {
            double n = 0;
            double a1 = 0, b1 = 0, a2 = 0, b2 = 0;
            double[] posA = bins > 0 ? new double[bins] : null, negA = bins > 0 ? new double[bins] : null;
            double[] posB = bins > 0 ? new double[bins] : null, negB = bins > 0 ? new double[bins] : null;
            for (int i = 0; i < count.length; i++) {
                double w = random == null ? count[i] : ScoreBins.poisson(random, count[i]);
                if (w == 0) continue;
                double f = w / count[i];
                n += w;
                a1 += f * sumA1[i];
                b1 += f * sumB1[i];
                a2 += f * sumA2[i];
                b2 += f * sumB2[i];
                if (bins > 0) {
                    if (label[i] == 1) {
                        posA[keyA[i]] += w;
                        posB[keyB[i]] += w;
                    } else {
                        negA[keyA[i]] += w;
                        negB[keyB[i]] += w;
                    }
                }
            }
            if (n == 0) return new double[] {Double.NaN, Double.NaN, Double.NaN};
            return switch (task) {
                case BINARY -> new double[] {auc(posA, negA) - auc(posB, negB), (a1 - b1) / n, (a2 - b2) / n};
                case REGRESSION -> new double[] {Math.sqrt(a1 / n) - Math.sqrt(b1 / n), (a2 - b2) / n};
                case MULTICLASS -> new double[] {(a1 - b1) / n, (a2 - b2) / n};
            };
        }

        /** AUC of score histograms (ties within a bin count half). */
        private static double auc(double[] pos, double[] neg) {
            double p = 0, q = 0, area = 0;
            for (int k = 0; k < pos.length; k++) {
                area += pos[k] * (q + 0.5 * neg[k]);
                p += pos[k];
                q += neg[k];
            }
            return p == 0 || q == 0 ? Double.NaN : area / (p * q);
        }
    }
}
