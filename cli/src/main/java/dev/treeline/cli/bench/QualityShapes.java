package dev.treeline.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Generated binary tables whose true probability of each row is known (column {@code true_p}), so the best
 * any model can do is known too: the Bayes-optimal AUC and log loss are those of {@code true_p} itself. Labels
 * are drawn from {@code true_p}. Every shape has eight numeric columns {@code x1..x8} (uniform on [-1, 1]),
 * of which the later ones are noise; the categorical shape adds {@code c1} (300 levels) and {@code c2} (40).
 */
public final class QualityShapes {
    public static final String TRUE_P = "true_p";
    public static final String LABEL = "label";
    static final int C1_LEVELS = 300;
    static final int C2_LEVELS = 40;

    /** A shape: its name, what it tests, and whether it has categorical columns. */
    public record Shape(String name, String description, boolean categorical) {}

    public static final List<Shape> SHAPES = List.of(
            new Shape("smooth_additive", "a sum of smooth effects of four columns, four noise columns", false),
            new Shape("interactions", "products and a sign-switching effect: no column matters alone", false),
            new Shape("high_cardinality", "two categorical columns (300 and 40 levels) with an effect per level, plus two numbers", true),
            new Shape("label_noise", "smooth_additive with 10% of labels flipped at random", false),
            new Shape("imbalanced", "smooth_additive shifted to about 3% positives", false));

    private QualityShapes() {}

    public static Shape shape(String name) {
        return SHAPES.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(name));
    }

    /** The feature spec's features: entries for the pipeline spec. */
    public static Map<String, String> features(Shape s) {
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 1; i <= 8; i++) f.put("x" + i, "numeric");
        if (s.categorical()) {
            f.put("c1", "native");
            f.put("c2", "native");
        }
        return f;
    }

    public static Dataset<Row> generate(SparkSession spark, Shape s, int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        // Per-level effects, fixed by the seed.
        double[] e1 = new double[C1_LEVELS];
        double[] e2 = new double[C2_LEVELS];
        SplittableRandom levels = new SplittableRandom(seed * 31 + 7);
        for (int i = 0; i < C1_LEVELS; i++) e1[i] = levels.nextGaussian() * 0.9;
        for (int i = 0; i < C2_LEVELS; i++) e2[i] = levels.nextGaussian() * 0.7;
        StructType schema = new StructType();
        for (int i = 1; i <= 8; i++) schema = schema.add("x" + i, DataTypes.DoubleType);
        if (s.categorical()) schema = schema.add("c1", DataTypes.StringType).add("c2", DataTypes.StringType);
        schema = schema.add(LABEL, DataTypes.IntegerType).add(TRUE_P, DataTypes.DoubleType);
        List<Row> out = new ArrayList<>(rows);
        for (int n = 0; n < rows; n++) {
            double[] x = new double[8];
            for (int i = 0; i < 8; i++) x[i] = r.nextDouble() * 2 - 1;
            int c1 = 0;
            int c2 = 0;
            double logit;
            switch (s.name()) {
                case "interactions" -> logit = 2.5 * x[0] * x[1] + (x[2] > 0 ? 1.5 * x[3] : -1.5 * x[3]) + 0.8 * x[4] * x[4] - 0.3;
                case "high_cardinality" -> {
                    // Zipf-like level frequencies: a few common levels, a long tail of rare ones.
                    c1 = (int) Math.min(C1_LEVELS - 1, Math.floor(Math.pow(r.nextDouble(), 2) * C1_LEVELS));
                    c2 = r.nextInt(C2_LEVELS);
                    logit = e1[c1] + e2[c2] + 0.8 * x[0] - 0.2;
                }
                case "imbalanced" -> logit = smooth(x) - 3.9;
                default -> logit = smooth(x);
            }
            double p = 1.0 / (1.0 + Math.exp(-logit));
            if (s.name().equals("label_noise")) p = 0.9 * p + 0.1 * (1 - p); // a label flipped with probability 0.1
            int label = r.nextDouble() < p ? 1 : 0;
            Object[] v = new Object[schema.size()];
            int k = 0;
            for (double xi : x) v[k++] = xi;
            if (s.categorical()) {
                v[k++] = "L" + c1;
                v[k++] = "M" + c2;
            }
            v[k++] = label;
            v[k] = p;
            out.add(RowFactory.create(v));
        }
        return spark.createDataFrame(out, schema);
    }

    private static double smooth(double[] x) {
        return 1.2 * Math.sin(2.5 * x[0]) + 1.5 * x[1] * x[1] - 0.5 + 0.9 * x[2] + 0.8 * Math.tanh(4 * x[3]);
    }
}
