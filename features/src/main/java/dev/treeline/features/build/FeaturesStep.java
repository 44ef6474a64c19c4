package dev.treeline.features.build;

import dev.treeline.features.spec.AsOfJoin;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.features.spec.RowPrep;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.spec.SplitSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import dev.treeline.pipelines.util.Messages;
import java.nio.file.Files;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * Builds the feature snapshot of a logical date: reads the window's days, attaches point-in-time
 * aggregates and as-of joins, labels rows, assigns each day to train, validation or holdout, fits the
 * feature pipeline on the train days only, and writes the feature rows and the fitted pipeline. The
 * snapshot is identified by a content hash of the spec and every input partition it read.
 */
final class FeaturesStep implements Step {
    static final String SPLIT = "split";
    static final String LABEL = FeaturePipelineFactory.LABEL;
    /** The columns this step writes beside the table's; a table column of one of these names is replaced. */
    static final List<String> RESERVED = List.of(LABEL, SPLIT, FeaturePipelineFactory.FEATURES, FeaturePipelineFactory.WEIGHT);
    private static final String TMP_LABEL = "__treeline_label";
    private static final String TMP_WEIGHT = "__treeline_weight";
    static final int SAMPLE_ROWS = 1000;

    private final FeatureSpec spec;
    private final String specFileText;
    private final SplitSpec split;

    FeaturesStep(FeatureSpec spec, String specFileText, SplitSpec split) {
        this.spec = spec;
        this.specFileText = specFileText;
        this.split = split;
    }

    @Override
    public String version() {
        return "2";
    }

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        DateWindow w = ctx.window();
        PartitionedDataset input = ctx.catalog().partitioned(ctx.input(0));
        String day = input.column();
        // A row split reads the logical date's snapshot of the table; a day split the window's days.
        LocalDate from = split != null ? w.logicalDate() : w.trainFrom();
        Dataset<Row> rows = input.read(from, w.logicalDate());
        Map<String, StructType> joinSchemas = new LinkedHashMap<>();
        for (AsOfJoin j : spec.joins()) joinSchemas.put(j.dataset(), ctx.catalog().spec(j.dataset()).isPartitioned()
                ? ctx.catalog().partitioned(j.dataset()).read(from.minusDays(j.maxAgeDays()), w.logicalDate()).schema()
                : ctx.catalog().read(j.dataset()).schema());
        Preflight.check(ctx.spark(), spec, ctx.input(0), rows.schema(), joinSchemas);
        // A table's own 'label' (or 'split', 'features', 'weight') column is common: the label and weight expressions
        // may read it, and the step's column of that name then takes its place. Only a feature read under that name clashes.
        List<String> read = spec.pipelineInputs(List.of(rows.columns()));
        for (String reserved : RESERVED) {
            if (read.contains(reserved)) {
                throw new TreelineException(ExitCode.SPEC, "the feature spec of step '" + ctx.step().name() + "' reads column '" + reserved
                        + "' of dataset '" + ctx.input(0) + "' as a feature, but the features step writes a column of that name; "
                        + "add a derived column (e.g. derived: {" + reserved + "_in: " + reserved + "}) and use that instead");
            }
        }
        String aggregates = spec.aggregates().isEmpty() ? null : ctx.input(1);
        String snapshotId = snapshotId(ctx, input, aggregates, from);
        Column splitOf;
        if (split != null) {
            rows = RowSplit.assign(rows, split, spec.label(), day);
            if (split.holdoutDataset() != null) rows = rows.unionByName(holdoutRows(ctx, rows, day));
            splitOf = functions.col(RowSplit.COLUMN);
        } else {
            splitOf = functions.when(functions.col(day).lt(functions.lit(Date.valueOf(w.validationFrom()))), DateWindow.TRAIN)
                    .when(functions.col(day).lt(functions.lit(Date.valueOf(w.holdoutFrom()))), DateWindow.VALIDATION)
                    .otherwise(DateWindow.HOLDOUT);
        }
        Dataset<Row> enriched = Enrichment.attach(ctx.catalog(), spec, rows, day, aggregates, from, w.logicalDate());
        // The label and weight are computed from the row as read, then the table's own columns of the step's names go.
        Column labelValue = functions.expr(spec.label()).cast("double");
        Column weightValue = spec.weight() == null ? null : functions.expr(spec.weight()).cast("double");
        String weight = FeaturePipelineFactory.WEIGHT;
        Dataset<Row> labelled = enriched.withColumn(TMP_LABEL, labelValue);
        if (weightValue != null) labelled = labelled.withColumn(TMP_WEIGHT, weightValue);
        labelled = labelled.drop(RESERVED.toArray(String[]::new)).withColumnRenamed(TMP_LABEL, LABEL).withColumn(SPLIT, splitOf);
        if (weightValue != null) labelled = labelled.withColumnRenamed(TMP_WEIGHT, weight);
        labelled = labelled.cache();
        try {
            // Rows without a label (or without a usable weight) cannot train or score; they are counted and left out.
            Column usableWeight = spec.weight() == null ? functions.lit(true)
                    : functions.col(weight).isNotNull().and(functions.col(weight).geq(0)).and(functions.not(functions.isnan(functions.col(weight))));
            // One pass counts both kinds of left-out rows.
            Row left = labelled.agg(functions.count(functions.when(functions.col(LABEL).isNull(), 1)),
                    functions.count(functions.when(functions.col(LABEL).isNotNull().and(functions.not(usableWeight)), 1))).first();
            long unlabelled = left.getLong(0);
            long badWeight = left.getLong(1);
            Dataset<Row> usable = labelled.filter(functions.col(LABEL).isNotNull().and(usableWeight));
            Dataset<Row> train = usable.filter(functions.col(SPLIT).equalTo(DateWindow.TRAIN));
            Dataset<Row> rest = usable.filter(functions.col(SPLIT).notEqual(DateWindow.TRAIN));

            ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": fit feature pipeline");
            PipelineModel fitted = FeaturePipelineFactory.build(spec).fit(train);
            List<Column> outCols = new ArrayList<>(List.of(functions.col(day), functions.col(SPLIT), functions.col(LABEL)));
            if (spec.weight() != null) outCols.add(functions.col(weight));
            if (split != null && split.folds() > 0) outCols.add(functions.col(RowSplit.FOLD).as(FeaturePipelineFactory.FOLD));
            outCols.add(functions.col(FeaturePipelineFactory.FEATURES));
            Column[] out = outCols.toArray(Column[]::new);
            Dataset<Row> features = FeaturePipelineFactory.forTrainRows(fitted, day).transform(train).select(out)
                    .unionByName(fitted.transform(rest).select(out));
            ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": write snapshot " + snapshotId);
            ctx.catalog().write(ctx.output(0), features);

            List<String[]> slots = FeaturePipelineFactory.slots(spec, fitted);
            List<String> inputColumns = spec.pipelineInputs(List.of(rows.columns()));
            List<String> joinDatasets = spec.joins().stream().map(AsOfJoin::dataset).distinct().toList();
            FeatureMeta meta = new FeatureMeta(2, inputColumns, spec.attachedColumns(), slots.stream().map(s -> s[0]).toList(),
                    slots.stream().map(s -> s[1]).toList(), FeaturePipelineFactory.FEATURES, spec.label(), spec.timeColumn(), spec.hash(),
                    aggregates, joinDatasets, List.copyOf(spec.pii().keySet()), snapshotId);
            // A fixed sample of holdout rows (already guarded) with their in-run vectors: the parity check of scoring.
            List<Column> orderCols = new ArrayList<>();
            for (String c : enriched.columns()) if (!RESERVED.contains(c) && !c.startsWith("__treeline")) orderCols.add(functions.col("`" + c + "`"));
            Dataset<Row> sample = fitted.transform(usable.filter(functions.col(SPLIT).equalTo(DateWindow.HOLDOUT))
                    .orderBy(functions.xxhash64(orderCols.toArray(Column[]::new))).limit(SAMPLE_ROWS));
            // The input columns as the guard left them: a column it dropped is not in the sample (nor in serving's input).
            List<String> guarded = List.of(sample.columns());
            List<Column> sampleCols = new ArrayList<>();
            for (String c : enriched.columns()) {
                if (guarded.contains(c) && !RESERVED.contains(c) && !c.startsWith("__treeline")) sampleCols.add(functions.col("`" + c + "`"));
            }
            sampleCols.add(functions.col(LABEL));
            sampleCols.add(functions.col(FeaturePipelineFactory.FEATURES));
            Dataset<Row> sampleRows = sample.select(sampleCols.toArray(Column[]::new));
            ctx.catalog().publishDirectory(ctx.output(1), dir -> {
                fitted.write().overwrite().save(dir.toString());
                meta.write(dir);
                Files.writeString(dir.resolve(FeatureMeta.SPEC_FILE), specFileText);
                sampleRows.coalesce(1).write().parquet(dir.resolve(FeatureMeta.SAMPLE_DIR).toString());
            });

            Map<String, Long> counts = new LinkedHashMap<>();
            for (Row r : ctx.catalog().read(ctx.output(0)).groupBy(SPLIT).count().collectAsList()) counts.put(r.getString(0), r.getLong(1));
            Map<String, Number> numbers = new LinkedHashMap<>();
            for (String s : List.of(DateWindow.TRAIN, DateWindow.VALIDATION, DateWindow.HOLDOUT)) numbers.put("rows_" + s, counts.getOrDefault(s, 0L));
            numbers.put("rows_unlabelled", unlabelled);
            if (spec.weight() != null) numbers.put("rows_bad_weight", badWeight);
            numbers.put("features", slots.size());
            Map<String, Double> metrics = new LinkedHashMap<>();
            numbers.forEach((k, v) -> metrics.put("features_" + k, v.doubleValue()));
            ctx.tracker().logMetrics(metrics);
            Map<String, String> params = new LinkedHashMap<>();
            params.put("feature_snapshot", snapshotId);
            params.put("feature_spec_hash", spec.hash());
            params.put("features", Messages.truncate(String.join(",", meta.featureNames()), 6000));
            params.put("label", spec.label());
            ctx.tracker().logParams(params);
            // The data snapshot: the input partitions of the window, as their markers identify them.
            String dataSnapshot = Hashing.sha256(Json.canonical(fingerprints(input, from, w.logicalDate()))).substring(0, 16);
            ctx.tracker().setTags(Map.of("treeline.feature_snapshot", snapshotId, "treeline.data_snapshot", dataSnapshot));
            return StepResult.of(String.format("snapshot %s: %d features; rows train %,d · validation %,d · holdout %,d", snapshotId, slots.size(),
                    counts.getOrDefault(DateWindow.TRAIN, 0L), counts.getOrDefault(DateWindow.VALIDATION, 0L),
                    counts.getOrDefault(DateWindow.HOLDOUT, 0L)), numbers).withFacts(Map.of("feature_snapshot", snapshotId));
        } finally {
            labelled.unpersist();
        }
    }

    /** The holdout dataset's rows of the logical date, which must have the table's columns. */
    private Dataset<Row> holdoutRows(StepContext ctx, Dataset<Row> tableRows, String day) {
        PartitionedDataset h = ctx.catalog().partitioned(split.holdoutDataset());
        Dataset<Row> rows = h.read(ctx.logicalDate(), ctx.logicalDate());
        if (!h.column().equals(day)) rows = rows.withColumnRenamed(h.column(), day);
        List<String> missing = new ArrayList<>();
        for (String c : tableRows.columns()) if (!c.startsWith("__treeline") && !List.of(rows.columns()).contains(c)) missing.add(c);
        if (!missing.isEmpty()) {
            throw TreelineException.data("holdout dataset '" + split.holdoutDataset() + "' lacks column(s) " + missing + " of '" + ctx.input(0)
                    + "'; the holdout rows must have the training table's columns");
        }
        if (rows.isEmpty()) {
            throw TreelineException.data("holdout dataset '" + split.holdoutDataset() + "' has no rows for " + ctx.logicalDate()
                    + "; run its ingest step for this date (it belongs in the same pipeline)");
        }
        return RowSplit.holdoutRows(rows, split).selectExpr(java.util.Arrays.stream(tableRows.columns()).map(c -> "`" + c + "`").toArray(String[]::new));
    }

    /** Content hash of what the snapshot is made from: the spec, hash keys, code version, window or split and every input partition. */
    private String snapshotId(StepContext ctx, PartitionedDataset input, String aggregates, LocalDate from) {
        DateWindow w = ctx.window();
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put("spec", spec.hash());
        parts.put("keys", RowPrep.guard(spec).keysFingerprint());
        parts.put("version", version());
        if (split != null) {
            parts.put("split", split);
            if (split.holdoutDataset() != null) {
                parts.put("holdout", fingerprints(ctx.catalog().partitioned(split.holdoutDataset()), w.logicalDate(), w.logicalDate()));
            }
        } else {
            parts.put("window", w.toString());
        }
        parts.put("rows", fingerprints(input, from, w.logicalDate()));
        if (aggregates != null) parts.put("aggregates", fingerprints(ctx.catalog().partitioned(aggregates), w.trainFrom(), w.logicalDate()));
        for (AsOfJoin j : spec.joins()) {
            parts.put("join:" + j.name(), ctx.catalog().spec(j.dataset()).isPartitioned()
                    ? fingerprints(ctx.catalog().partitioned(j.dataset()), from.minusDays(j.maxAgeDays()), w.logicalDate())
                    : ctx.catalog().fingerprint(j.dataset()));
        }
        return Hashing.sha256(Json.canonical(parts)).substring(0, 16);
    }

    private static Map<String, String> fingerprints(PartitionedDataset ds, LocalDate from, LocalDate to) {
        Map<String, String> out = new TreeMap<>();
        ds.markers().subMap(from, true, to, true).forEach((d, m) -> out.put(d.toString(), m.fingerprint()));
        return out;
    }
}
