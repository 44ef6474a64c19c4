package dev.treeline.pipelines.ingest;

import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Copies source rows up to the logical date into the curated dataset, one partition per day. A day is
 * rewritten only when its partition is missing or was made from different source files or params, so
 * nightly runs write the new day and reruns write nothing.
 */
final class IngestStep implements Step {
    private final IngestParams params;

    IngestStep(IngestParams params) {
        this.params = params;
    }

    @Override
    public StepResult run(StepContext ctx) {
        String source = ctx.input(0);
        PartitionedDataset curated = ctx.catalog().partitioned(ctx.output(0));
        Dataset<Row> rows = ctx.catalog().read(source);
        checkTimeColumn(rows, source, ctx);

        Column day = PartitionedDataset.dayOf(params.timeColumn());
        Column inRange = day.leq(functions.lit(java.sql.Date.valueOf(ctx.logicalDate())));
        if (params.startDate() != null) inRange = inRange.and(day.geq(functions.lit(java.sql.Date.valueOf(params.startDate()))));
        Dataset<Row> dated = rows.withColumn(curated.column(), day).filter(inRange);

        // One pass over the source: rows per day (the null day holds the rows without a timestamp).
        TreeSet<LocalDate> days = new TreeSet<>();
        long undated = 0;
        for (Row r : rows.groupBy(day).count().collectAsList()) {
            if (r.isNullAt(0)) {
                undated = r.getLong(1);
                continue;
            }
            LocalDate d = ((java.sql.Date) r.get(0)).toLocalDate();
            if (!d.isAfter(ctx.logicalDate()) && (params.startDate() == null || !d.isBefore(params.startDate()))) days.add(d);
        }

        String sourceFingerprint = ctx.catalog().fingerprint(source);
        String fingerprint = Hashing.sha256(Json.canonical(Map.of("params", params, "source", sourceFingerprint, "version", version()))).substring(0, 16);
        TreeMap<LocalDate, PartitionMarker> published = curated.markers();
        List<LocalDate> stale = days.stream()
                .filter(d -> published.get(d) == null || !fingerprint.equals(published.get(d).fingerprint()))
                .toList();

        long written = 0;
        if (!stale.isEmpty()) {
            Dataset<Row> toWrite = dated.filter(functions.col(curated.column()).isin(stale.stream().map(java.sql.Date::valueOf).toArray()));
            written = curated.replace(toWrite, stale, d -> fingerprint).values().stream().mapToLong(Long::longValue).sum();
        }
        Map<String, Number> numbers = new LinkedHashMap<>();
        numbers.put("days", days.size());
        numbers.put("days_written", stale.size());
        numbers.put("rows_written", written);
        numbers.put("rows_without_timestamp", undated);
        ctx.tracker().logMetrics(Map.of("ingest_days_written", (double) stale.size(), "ingest_rows_written", (double) written));
        String range = days.isEmpty() ? "no days" : days.size() + " days " + days.first() + ".." + days.last();
        String summary = range + ": " + (stale.isEmpty() ? "all current, nothing written"
                : String.format("%d written (%,d rows), %d already current", stale.size(), written, days.size() - stale.size()));
        if (undated > 0) summary += String.format("; %,d rows have no %s and were not ingested", undated, params.timeColumn());
        return StepResult.of(summary, numbers);
    }

    private void checkTimeColumn(Dataset<Row> rows, String source, StepContext ctx) {
        if (!List.of(rows.columns()).contains(params.timeColumn())) {
            throw dev.treeline.pipelines.TreelineException.data("dataset '" + source + "' has no column '" + params.timeColumn()
                    + "' (columns: " + String.join(", ", rows.columns()) + "); fix params.time_column of step '" + ctx.step().name()
                    + "' in " + ctx.pipeline().file());
        }
        DataType type = rows.schema().apply(params.timeColumn()).dataType();
        if (!(type.equals(DataTypes.TimestampType) || type.equals(DataTypes.TimestampNTZType) || type.equals(DataTypes.DateType))) {
            throw dev.treeline.pipelines.TreelineException.data("column '" + params.timeColumn() + "' of dataset '" + source + "' is "
                    + type.simpleString() + ", not a timestamp or date; point params.time_column at the event time");
        }
    }
}
