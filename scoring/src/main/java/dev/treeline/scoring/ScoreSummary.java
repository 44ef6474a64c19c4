package dev.treeline.scoring;

import dev.treeline.training.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * What one scoring run did, as MLflow metrics: rows in, scored, rejected and per variant, the score
 * distribution (mean and deciles) and its drift (PSI) from the scores of the evaluated holdout sample the
 * bundle carries. Read from the written output, so it describes exactly what was published.
 */
public final class ScoreSummary {
    private ScoreSummary() {}

    public static Map<String, Double> of(SparkSession spark, ServedModel served, Dataset<Row> scored, long rowsIn, long rejected) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rows_in", (double) rowsIn);
        m.put("rows_rejected", (double) rejected);
        long total = 0;
        if (scored != null) {
            for (Row r : scored.groupBy(BatchScorer.VARIANT).count().collectAsList()) {
                m.put("rows_" + r.getString(0), (double) r.getLong(1));
                total += r.getLong(1);
            }
        }
        m.put("rows_scored", (double) total);
        if (total == 0) return m;
        Row stats = scored.agg(functions.avg(BatchScorer.SCORE), functions.percentile_approx(functions.col(BatchScorer.SCORE),
                functions.lit(new double[] {0.1, 0.5, 0.9}), functions.lit(10_000))).first();
        m.put("score_mean", stats.getDouble(0));
        List<Object> q = stats.getList(1);
        m.put("score_p10", ((Number) q.get(0)).doubleValue());
        m.put("score_p50", ((Number) q.get(1)).doubleValue());
        m.put("score_p90", ((Number) q.get(2)).doubleValue());
        for (ServedModel.Variant v : served.variants()) {
            double[] reference = expectedScores(spark, v.bundle());
            if (reference.length == 0) continue;
            double[] edges = Psi.edges(reference);
            long[] current = Psi.counts(scored.filter(functions.col(BatchScorer.VARIANT).equalTo(v.name())), BatchScorer.SCORE, edges);
            String key = served.split() ? "score_psi_" + v.name() : "score_psi";
            m.put(key, Psi.psi(Psi.counts(reference, edges), current));
        }
        return m;
    }

    /** The evaluated holdout sample's scores (the positive class's probability, or the prediction); empty without a sample. */
    static double[] expectedScores(SparkSession spark, ModelBundle bundle) {
        Path sample = bundle.dir().resolve(ModelBundle.SCORING_SAMPLE);
        if (!Files.isDirectory(sample)) return new double[0];
        Dataset<Row> s = spark.read().parquet(sample.toString());
        if (List.of(s.columns()).contains(ModelBundle.EXPECTED_PROBABILITIES)) {
            // Multiclass samples carry every class's probability: the top one is what the score column holds.
            s = s.withColumn(ModelBundle.EXPECTED_SCORE, functions.array_max(functions.col(ModelBundle.EXPECTED_PROBABILITIES)));
        }
        return s.select(ModelBundle.EXPECTED_SCORE).collectAsList().stream().mapToDouble(r -> r.isNullAt(0) ? Double.NaN : r.getDouble(0)).toArray();
    }
}
