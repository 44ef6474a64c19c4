package dev.treeline.scoring;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.pipelines.format.Task;
import dev.treeline.training.bundle.BundleScorer;
import dev.treeline.training.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;

/**
 * Scores rows with the served model: checks them against what the model reads (rejects with a reason),
 * routes each accepted row to a variant by its id's bucket, and runs that variant's saved feature pipeline and
 * booster ({@link BundleScorer}, the code serving's parity check runs). Output columns are defined here once,
 * for the score step and the {@code treeline score} command alike.
 */
public final class BatchScorer {
    public static final String SCORE = "score";
    /** Multiclass models: the most likely class (and {@code score} its probability). */
    public static final String CLASS = "class";
    public static final String PROBABILITIES = BundleScorer.PROBABILITIES;
    public static final String MODEL = "model";
    public static final String VERSION = "model_version";
    public static final String VARIANT = "variant";
    public static final String RUN = "scoring_run_id";
    public static final String SCORED_AT = "scored_at";
    /** A row's id when none is declared: a 64-bit hash of all its columns. */
    public static final String ROW_ID = "row_id";
    private static final String BUCKET = "_treeline_bucket";

    /** Attaches what a bundle looks up as of each row's day (aggregates, joins); rows as they are when it needs nothing. */
    @FunctionalInterface
    public interface Lookups {
        Dataset<Row> attach(ModelBundle bundle, Dataset<Row> rows);
    }

    /** {@code id} empty: rows are identified by {@value #ROW_ID}; {@code dayColumn} kept when present (null: none). */
    public record Settings(List<String> id, List<String> passThrough, String dayColumn) {}

    /** Scored rows (null when none could be scored) and rejected rows (null when none were) with {@value InputCheck#REASON}. */
    public record Result(Dataset<Row> scored, Dataset<Row> rejects, List<String> missingColumns) {}

    private BatchScorer() {}

    public static Result score(SparkSession spark, ServedModel served, Dataset<Row> raw, Settings s, Lookups lookups, String runId, Instant at) {
        Column model = functions.lit(served.model());
        Column run = functions.lit(runId == null ? "" : runId);
        Column scoredAt = functions.lit(Timestamp.from(at));
        List<String> idCols = new ArrayList<>(s.id());
        Dataset<Row> rows = raw;
        if (idCols.isEmpty()) {
            rows = RowIds.withRowId(rows, ROW_ID, s.dayColumn());
            idCols.add(ROW_ID);
        }
        InputCheck.Checked checked = InputCheck.check(rows, required(served));
        Dataset<Row> rejects = checked.rejected() == null ? null
                : checked.rejected().withColumn(MODEL, model).withColumn(RUN, run).withColumn(SCORED_AT, scoredAt);
        if (checked.accepted() == null) return new Result(null, rejects, checked.missing());

        Set<String> keep = new LinkedHashSet<>(idCols);
        keep.addAll(s.passThrough());
        boolean day = s.dayColumn() != null && List.of(rows.columns()).contains(s.dayColumn());
        if (day) keep.add(s.dayColumn());
        Dataset<Row> accepted = checked.accepted().withColumn(BUCKET, RowIds.bucket(RowIds.key(idCols), served.experiment()));
        Dataset<Row> out = null;
        int from = 0;
        for (ServedModel.Variant v : served.variants()) {
            int to = from + v.weight() * (RowIds.BUCKETS / 100);
            Dataset<Row> share = served.split()
                    ? accepted.filter(functions.col(BUCKET).geq(from).and(functions.col(BUCKET).lt(to))) : accepted;
            from = to;
            Dataset<Row> scored = BundleScorer.score(spark, v.bundle(), lookups.attach(v.bundle(), share), keep.toArray(String[]::new));
            List<Column> cols = new ArrayList<>();
            for (String k : keep) cols.add(functions.col("`" + k + "`"));
            if (v.bundle().meta().task() == Task.MULTICLASS) {
                cols.add(functions.array_max(functions.col(BundleScorer.PROBABILITIES)).as(SCORE));
                cols.add(functions.col(BundleScorer.SCORE).cast("int").as(CLASS));
                cols.add(functions.col(BundleScorer.PROBABILITIES));
            } else {
                cols.add(functions.col(BundleScorer.SCORE).as(SCORE));
            }
            cols.add(model.as(MODEL));
            cols.add(functions.lit(v.version()).as(VERSION));
            cols.add(functions.lit(v.name()).as(VARIANT));
            cols.add(run.as(RUN));
            cols.add(scoredAt.as(SCORED_AT));
            Dataset<Row> part = scored.select(cols.toArray(Column[]::new));
            out = out == null ? part : out.unionByName(part, true);
        }
        return new Result(out, rejects, List.of());
    }

    /** The input columns every variant reads, each in the type it was trained on (from its scoring sample; null when unknown). */
    static Map<String, DataType> required(ServedModel served) {
        Map<String, DataType> out = new LinkedHashMap<>();
        for (ServedModel.Variant v : served.variants()) {
            FeatureMeta meta = v.bundle().featureMeta();
            Map<String, DataType> types = sampleTypes(v.bundle());
            for (String c : meta.inputColumns()) out.putIfAbsent(c, types.get(c));
        }
        return out;
    }

    private static Map<String, DataType> sampleTypes(ModelBundle bundle) {
        Map<String, DataType> out = new LinkedHashMap<>();
        Path sample = bundle.dir().resolve(ModelBundle.SCORING_SAMPLE);
        if (!Files.isDirectory(sample)) return out;
        for (StructField f : SparkSession.active().read().parquet(sample.toString()).schema().fields()) out.put(f.name(), f.dataType());
        return out;
    }
}
