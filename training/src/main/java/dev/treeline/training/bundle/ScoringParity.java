package dev.treeline.training.bundle;

import dev.treeline.pipelines.format.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Re-scores a bundle's stored sample through its saved feature pipeline and booster and compares with
 * the scores the training run computed (every class probability for multiclass models): what serving
 * would compute must be what was evaluated.
 */
public final class ScoringParity {
    public static final double TOLERANCE = 1e-6;

    /** Largest absolute difference and the sample's size. */
    public record Result(double maxAbsDiff, long rows) {
        public boolean holds() {
            return maxAbsDiff <= TOLERANCE;
        }
    }

    private ScoringParity() {}

    /** Null when the bundle has no sample. */
    public static Result check(SparkSession spark, ModelBundle bundle) {
        Path dir = bundle.dir().resolve(ModelBundle.SCORING_SAMPLE);
        if (!Files.isDirectory(dir)) return null;
        Dataset<Row> sample = spark.read().parquet(dir.toString());
        boolean classes = bundle.meta().task() == Task.MULTICLASS;
        Column gap = classes
                ? functions.array_max(functions.zip_with(functions.col(BundleScorer.PROBABILITIES), functions.col(ModelBundle.EXPECTED_PROBABILITIES),
                        (a, b) -> functions.abs(a.minus(b))))
                : functions.abs(functions.col(BundleScorer.SCORE).minus(functions.col(ModelBundle.EXPECTED_SCORE)));
        Dataset<Row> scored = BundleScorer.score(spark, bundle, sample, classes ? ModelBundle.EXPECTED_PROBABILITIES : ModelBundle.EXPECTED_SCORE);
        Row r = scored.agg(functions.max(gap), functions.count(functions.lit(1))).first();
        return new Result(r.isNullAt(0) ? 0 : r.getDouble(0), r.getLong(1));
    }
}
