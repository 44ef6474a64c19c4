package dev.treeline.features.validate;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

/**
 * Checks the curated days against the expected columns and row rules. Each row goes to exactly one of
 * the two outputs: accepted rows unchanged, rejected rows with {@code reject_reason}. Only days whose
 * input partition or params changed are checked again. Above {@code max_reject_ratio} the step fails,
 * publishing the rejects (for inspection) but not the accepted rows.
 */
final class ValidateStep implements Step {
    static final String REASON = "reject_reason";

    private final ValidateParams params;

    ValidateStep(ValidateParams params) {
        this.params = params;
    }

    @Override
    public StepResult run(StepContext ctx) {
        PartitionedDataset input = ctx.catalog().partitioned(ctx.input(0));
        PartitionedDataset accepted = ctx.catalog().partitioned(ctx.output(0));
        PartitionedDataset rejected = ctx.catalog().partitioned(ctx.output(1));

        TreeMap<LocalDate, PartitionMarker> in = new TreeMap<>(input.markers().headMap(ctx.logicalDate(), true));
        TreeMap<LocalDate, PartitionMarker> done = accepted.markers();
        TreeMap<LocalDate, PartitionMarker> doneRejects = rejected.markers();
        Map<LocalDate, String> fingerprints = new TreeMap<>();
        List<LocalDate> todo = new ArrayList<>();
        for (var e : in.entrySet()) {
            String fp = Hashing.sha256(Json.canonical(Map.of("params", params, "input", e.getValue().fingerprint(), "version", version()))).substring(0, 16);
            fingerprints.put(e.getKey(), fp);
            PartitionMarker a = done.get(e.getKey());
            PartitionMarker r = doneRejects.get(e.getKey());
            if (a == null || r == null || !fp.equals(a.fingerprint()) || !fp.equals(r.fingerprint())) todo.add(e.getKey());
        }
        if (in.isEmpty()) {
            throw TreelineException.data("dataset '" + ctx.input(0) + "' has no days up to " + ctx.logicalDate() + " to validate");
        }
        if (todo.isEmpty()) {
            return StepResult.of(in.size() + " days up to " + ctx.logicalDate() + " already validated", Map.of("days_checked", 0));
        }

        long inputRows = todo.stream().mapToLong(d -> in.get(d).rows()).sum();
        Dataset<Row> rows = inputRows == 0 ? null : input.read(todo);
        if (rows != null) checkSchema(rows, ctx);

        long acceptedRows = 0;
        long rejectedRows = 0;
        Map<String, Long> topReasons = new LinkedHashMap<>();
        if (rows == null) {
            // Days without rows still get (empty) partitions, so they are not checked again.
            accepted.replace(null, todo, fingerprints::get);
            rejected.replace(null, todo, fingerprints::get);
        } else {
            List<Column> reasons = new ArrayList<>();
            for (ColumnRule rule : params.rules()) reasons.addAll(rule.reasons());
            Column reason = reasons.isEmpty() ? functions.lit(null).cast("string")
                    : functions.when(functions.concat_ws("; ", reasons.toArray(Column[]::new)).notEqual(""),
                    functions.concat_ws("; ", reasons.toArray(Column[]::new)));
            Dataset<Row> checked = rows.withColumn(REASON, reason).persist(StorageLevel.MEMORY_AND_DISK());
            try {
                Dataset<Row> bad = checked.filter(functions.col(REASON).isNotNull());
                rejectedRows = sum(rejected.replace(bad, todo, fingerprints::get));
                for (Row r : bad.groupBy(REASON).count().orderBy(functions.desc("count")).limit(3).collectAsList()) {
                    topReasons.put(r.getString(0), r.getLong(1));
                }
                double ratio = inputRows == 0 ? 0 : (double) rejectedRows / inputRows;
                if (ratio > params.maxRejectRatio()) {
                    throw TreelineException.data(String.format(
                            "%,d of %,d rows (%.2f%%) on %s..%s broke the rules of step '%s', above max_reject_ratio %.2f%%; most common: %s; rejected rows are in %s",
                            rejectedRows, inputRows, 100 * ratio, todo.get(0), todo.get(todo.size() - 1), ctx.step().name(),
                            100 * params.maxRejectRatio(), topReasons, rejected.location()));
                }
                Dataset<Row> good = checked.filter(functions.col(REASON).isNull()).drop(REASON);
                acceptedRows = sum(accepted.replace(good, todo, fingerprints::get));
            } finally {
                checked.unpersist();
            }
        }
        if (acceptedRows + rejectedRows != inputRows) {
            throw new IllegalStateException("row accounting broke: " + inputRows + " in, " + acceptedRows + " accepted + " + rejectedRows + " rejected");
        }
        Map<String, Number> numbers = new LinkedHashMap<>();
        numbers.put("days_checked", todo.size());
        numbers.put("rows_in", inputRows);
        numbers.put("rows_accepted", acceptedRows);
        numbers.put("rows_rejected", rejectedRows);
        ctx.tracker().logMetrics(Map.of("validate_rows_in", (double) inputRows, "validate_rows_accepted", (double) acceptedRows,
                "validate_rows_rejected", (double) rejectedRows));
        String summary = String.format("%d days checked: %,d rows in = %,d accepted + %,d rejected", todo.size(), inputRows, acceptedRows, rejectedRows);
        if (!topReasons.isEmpty()) summary += "; most common: " + topReasons.keySet().iterator().next();
        return StepResult.of(summary, numbers);
    }

    private void checkSchema(Dataset<Row> rows, StepContext ctx) {
        List<String> present = List.of(rows.columns());
        for (var e : params.columns().entrySet()) {
            if (!present.contains(e.getKey())) {
                throw TreelineException.data("dataset '" + ctx.input(0) + "' has no column '" + e.getKey() + "' (it has "
                        + String.join(", ", present) + "); fix the data or params.columns of step '" + ctx.step().name() + "'");
            }
            DataType actual = rows.schema().apply(e.getKey()).dataType();
            if (!matches(e.getValue(), actual)) {
                throw TreelineException.data("column '" + e.getKey() + "' of dataset '" + ctx.input(0) + "' is " + actual.simpleString()
                        + ", expected " + e.getValue() + "; fix the data or params.columns of step '" + ctx.step().name() + "'");
            }
        }
    }

    static boolean matches(String expected, DataType actual) {
        return switch (expected) {
            case "string" -> actual.equals(DataTypes.StringType);
            case "long" -> actual.equals(DataTypes.LongType);
            case "int" -> actual.equals(DataTypes.IntegerType);
            case "double" -> actual.equals(DataTypes.DoubleType);
            case "float" -> actual.equals(DataTypes.FloatType);
            case "boolean" -> actual.equals(DataTypes.BooleanType);
            case "timestamp" -> actual.equals(DataTypes.TimestampType) || actual.equals(DataTypes.TimestampNTZType);
            case "date" -> actual.equals(DataTypes.DateType);
            default -> false;
        };
    }

    private static long sum(Map<LocalDate, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
