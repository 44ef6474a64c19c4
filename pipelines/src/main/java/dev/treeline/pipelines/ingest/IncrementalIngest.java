package dev.treeline.pipelines.ingest;

import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.ingest.sources.JdbcOptions;
import dev.treeline.pipelines.ingest.sources.JdbcSource;
import dev.treeline.pipelines.ingest.sources.SourceRows;
import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import scala.collection.JavaConverters;

/**
 * Reads the rows of a database table changed since the last watermark ({@code updated_at > last}),
 * merges them into the day partitions they belong to (a changed row replaces its old version, by key),
 * and saves the new watermark only after the data is published, so a crash rereads the same rows.
 */
final class IncrementalIngest {
    private final IngestParams params;
    private final StepContext ctx;
    private final DatasetSpec source;
    private final PartitionedDataset curated;
    private final PartitionedDataset rejects;
    private final IngestStep step;

    IncrementalIngest(IngestParams params, StepContext ctx, DatasetSpec source, PartitionedDataset curated, PartitionedDataset rejects) {
        this.params = params;
        this.ctx = ctx;
        this.source = source;
        this.curated = curated;
        this.rejects = rejects;
        this.step = new IngestStep(params);
    }

    StepResult run() {
        JdbcOptions o = JdbcOptions.from(source.options(), source.name());
        Watermarks marks = new Watermarks(ctx.environment().workspace(), ctx.pipeline().name(), source.name());
        String after = marks.read();
        // Fix the upper bound first: rows committed while this run reads wait for the next run.
        String upTo = JdbcSource.maxWatermark(source, after);
        if (upTo != null && after != null && o.lookback() > 0 && JdbcOptions.compareWatermarks(upTo, after) < 0) {
            // Only late rows within the lookback: read them up to the old watermark, which stays where it was.
            upTo = after;
        }
        if (upTo == null) {
            return StepResult.of("no rows changed since watermark " + after, Map.of("rows_in", 0, "days_written", 0));
        }
        SourceRows read = JdbcSource.read(ctx.spark(), source, new JdbcSource.Filter(params.timeColumn(), null, null, after, upTo));
        Dataset<Row> batch = step.withDay(read.rows(), null, ctx).cache();
        try {
            TreeSet<LocalDate> days = new TreeSet<>();
            for (Row r : batch.filter(functions.col(SourceRows.REASON).isNull()).select("_day").distinct().collectAsList()) {
                days.add(((Date) r.get(0)).toLocalDate());
            }
            long changed = batch.count();
            Dataset<Row> rows = batch;
            List<LocalDate> existing = days.stream().filter(d -> curated.rows(d) > 0).toList();
            if (!existing.isEmpty()) {
                Dataset<Row> old = asSourceRows(curated.read(existing), read.columns());
                Column[] keys = o.key().stream().map(functions::col).toArray(Column[]::new);
                Dataset<Row> changedKeys = batch.filter(functions.col(SourceRows.REASON).isNull()).select(keys).distinct();
                rows = old.join(changedKeys, JavaConverters.asScalaBuffer(o.key()).toSeq(), "left_anti")
                        .select(batch.columns()[0], Arrays.copyOfRange(batch.columns(), 1, batch.columns().length))
                        .unionByName(batch);
            }
            // What was read, not only where the watermark ends: rows found late within the lookback change a day's
            // fingerprint (so validation reads the day again) even when the watermark did not move.
            String fp = step.fingerprint(after + ".." + upTo + "#" + changed);
            Map<LocalDate, String> fps = new TreeMap<>();
            days.forEach(d -> fps.put(d, fp));
            if (days.isEmpty()) days.add(ctx.logicalDate());
            IngestStep.Publication p = step.publish(ctx, rows, new ArrayList<>(days), fps, curated, rejects, ctx.logicalDate());
            marks.write(upTo);
            p.numbers().put("rows_changed", changed);
            ctx.tracker().logParams(Map.of("ingest_watermark", upTo));
            return StepResult.of(String.format("%,d changed row(s) since %s merged into %d day(s); watermark now %s", changed,
                    after == null ? "the beginning" : after, days.size(), upTo), p.numbers()).withFacts(Map.of("watermark", upTo));
        } finally {
            batch.unpersist();
        }
    }

    /** Published rows in the source-read layout, so they can be merged with new ones. */
    private Dataset<Row> asSourceRows(Dataset<Row> published, List<String> columns) {
        List<Column> cols = new ArrayList<>();
        for (String c : columns) cols.add(functions.col(c));
        cols.add(functions.lit(null).cast(published.select(columns.stream().map(c -> functions.col(c).cast("string").as(c)).toArray(Column[]::new))
                .schema()).as(SourceRows.RAW));
        cols.add(functions.lit(null).cast("string").as(SourceRows.RAW_RECORD));
        cols.add(functions.lit("published").as(SourceRows.SOURCE));
        cols.add(functions.lit(null).cast("string").as(SourceRows.REASON));
        cols.add(functions.col(curated.column()).as("_day"));
        return published.select(cols.toArray(Column[]::new));
    }
}
