package dev.treeline.pipelines.ingest;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.DatasetException;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.ingest.sources.FileSource;
import dev.treeline.pipelines.ingest.sources.JdbcOptions;
import dev.treeline.pipelines.ingest.sources.JdbcSource;
import dev.treeline.pipelines.ingest.sources.PathTemplate;
import dev.treeline.pipelines.ingest.sources.SourceFiles;
import dev.treeline.pipelines.ingest.sources.SourceRows;
import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.step.Phases;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Copies source rows into the curated dataset, one partition per day, and quarantines the rows that
 * cannot be read (with the values as read and a reason). A run writes the days of its window whose
 * source changed, plus missing days back to {@code history_start}; a rerun with an unchanged source
 * writes nothing. Every row read lands in exactly one of the two outputs.
 */
final class IngestStep implements Step {
    static final String REASON = "reject_reason";

    private final IngestParams params;

    IngestStep(IngestParams params) {
        this.params = params;
    }

    @Override
    public String version() {
        return "2";
    }

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        DatasetSpec source = ctx.pipeline().dataset(ctx.input(0));
        PartitionedDataset curated = ctx.catalog().partitioned(ctx.output(0));
        PartitionedDataset rejects = ctx.step().outputs().size() > 1 ? ctx.catalog().partitioned(ctx.output(1)) : null;
        try {
            if (source.format().equals("jdbc") && JdbcOptions.from(source.options(), source.name()).watermarkColumn() != null) {
                if (params.snapshot()) {
                    throw TreelineException.data("incremental reads of dataset '" + source.name() + "' merge rows into their days: set params.time_column of step '"
                            + ctx.step().name() + "' in " + ctx.pipeline().file());
                }
                return new IncrementalIngest(params, ctx, source, curated, rejects).run();
            }
            return windowed(ctx, source, curated, rejects);
        } catch (TreelineException e) {
            throw e;
        } catch (Exception e) {
            // Spark and JDBC throw checked exceptions Scala does not declare.
            throw SourceErrors.explain(e, source, ctx);
        }
    }

    private StepResult windowed(StepContext ctx, DatasetSpec source, PartitionedDataset curated, PartitionedDataset rejects) {
        Phases phases = new Phases(ctx.spark(), ctx.step().name());
        TreeMap<LocalDate, PartitionMarker> published = phases.time("plan", curated::markers);
        List<String> warnings = new ArrayList<>();
        Batch batch = phases.time("plan", () -> {
            if (source.isDayTemplated()) return templated(ctx, source, published, warnings);
            if (source.format().equals("jdbc")) return jdbcWindow(ctx, source, published);
            return wholeSource(ctx, source, published, warnings);
        });
        if (batch.todo.isEmpty()) {
            return StepResult.of(batch.described + ": all current, nothing written", Map.of("days_written", 0, "rows_in", 0));
        }
        Publication p = phases.time("write", () -> publish(ctx, batch.rows, batch.todo, batch.fingerprints, curated, rejects, batch.undatedDay));
        p.numbers.put("days", batch.days);
        phases.into(p.numbers);
        ctx.tracker().logMetrics(Map.of("ingest_rows_in", (double) p.rowsIn, "ingest_rows_accepted", (double) p.accepted,
                "ingest_rows_rejected", (double) p.rejected, "ingest_days_written", (double) batch.todo.size()));
        String summary = String.format("%s: %d written, %,d rows in = %,d accepted + %,d rejected", batch.described, batch.todo.size(),
                p.rowsIn, p.accepted, p.rejected);
        if (!p.topReasons.isEmpty()) summary += "; most common: " + p.topReasons.keySet().iterator().next();
        if (!warnings.isEmpty()) summary += "; " + String.join("; ", warnings);
        return StepResult.of(summary, p.numbers);
    }

    /** Rows to publish, the days they replace, and each day's fingerprint. */
    record Batch(Dataset<Row> rows, List<LocalDate> todo, Map<LocalDate, String> fingerprints, int days, String described, LocalDate undatedDay) {}

    private Batch templated(StepContext ctx, DatasetSpec source, TreeMap<LocalDate, PartitionMarker> published, List<String> warnings) {
        TreeSet<LocalDate> candidates = candidates(ctx.logicalDate(), published,
                params.historyStart() != null ? params.historyStart() : ctx.logicalDate().minusDays(params.windowDays() - 1L));
        List<LocalDate> todo = new ArrayList<>();
        Map<LocalDate, String> fps = new TreeMap<>();
        Dataset<Row> all = null;
        for (LocalDate day : candidates) {
            String location = ctx.catalog().resolve(PathTemplate.expand(source.path(), day));
            SourceFiles files = list(ctx, location);
            String fp = fingerprint(files.fingerprint());
            PartitionMarker m = published.get(day);
            if (m != null && fp.equals(m.fingerprint())) continue;
            todo.add(day);
            fps.put(day, fp);
            if (files.isEmpty()) {
                warnings.add("no source files for " + day + " (" + location + ")");
                continue;
            }
            SourceRows read = FileSource.read(ctx.spark(), source, files);
            warnings.addAll(read.warnings());
            Dataset<Row> dayRows = withDay(read.rows(), functions.lit(Date.valueOf(day)), ctx);
            all = all == null ? dayRows : all.unionByName(dayRows);
        }
        String described = candidates.size() + " candidate day(s) " + candidates.first() + ".." + candidates.last();
        return new Batch(all, todo, fps, candidates.size(), described, null);
    }

    private Batch wholeSource(StepContext ctx, DatasetSpec source, TreeMap<LocalDate, PartitionMarker> published, List<String> warnings) {
        String location = ctx.catalog().location(source.name());
        SourceFiles files = list(ctx, location);
        if (files.isEmpty()) {
            throw new DatasetException(source.name(), location, "does not exist or holds no files; check datasets." + source.name() + ".path in " + ctx.pipeline().file(), null);
        }
        SourceRows read = FileSource.read(ctx.spark(), source, files);
        warnings.addAll(read.warnings());
        Dataset<Row> rows = withDay(read.rows(), null, ctx);
        String fp = fingerprint(files.fingerprint());
        LocalDate start = params.historyStart();
        if (params.snapshot()) {
            start = ctx.logicalDate();
        } else if (start == null) {
            // Without history_start, a pass over the source finds its first day.
            Row first = rows.filter(functions.col(SourceRows.REASON).isNull()).agg(functions.min("_day")).first();
            start = first.isNullAt(0) ? ctx.logicalDate() : ((Date) first.get(0)).toLocalDate();
        }
        TreeSet<LocalDate> candidates = candidates(ctx.logicalDate(), published, start);
        List<LocalDate> todo = candidates.stream().filter(d -> published.get(d) == null || !fp.equals(published.get(d).fingerprint())).toList();
        Map<LocalDate, String> fps = new TreeMap<>();
        todo.forEach(d -> fps.put(d, fp));
        String described = candidates.size() + " day(s) " + candidates.first() + ".." + candidates.last();
        return new Batch(rows, todo, fps, candidates.size(), described, ctx.logicalDate());
    }

    private Batch jdbcWindow(StepContext ctx, DatasetSpec source, TreeMap<LocalDate, PartitionMarker> published) {
        LocalDate start = params.historyStart() != null ? params.historyStart() : ctx.logicalDate().minusDays(params.windowDays() - 1L);
        TreeSet<LocalDate> candidates = candidates(ctx.logicalDate(), published, start);
        // A database has no file listing: the window is read again every run, gaps only when missing.
        List<LocalDate> todo = new ArrayList<>(candidates);
        Map<LocalDate, String> fps = new TreeMap<>();
        String fp = fingerprint(ctx.runId());
        todo.forEach(d -> fps.put(d, fp));
        JdbcSource.Filter filter = params.snapshot() ? new JdbcSource.Filter(null, null, null, null, null)
                : new JdbcSource.Filter(params.timeColumn(), candidates.first(), candidates.last(), null, null);
        SourceRows read = JdbcSource.read(ctx.spark(), source, filter);
        return new Batch(withDay(read.rows(), null, ctx), todo, fps, candidates.size(),
                candidates.size() + " day(s) " + candidates.first() + ".." + candidates.last() + " from " + source.name(), null);
    }

    /** The window's days, plus the missing days from {@code start} on; a snapshot's only day is the logical date. */
    private TreeSet<LocalDate> candidates(LocalDate date, TreeMap<LocalDate, PartitionMarker> published, LocalDate start) {
        TreeSet<LocalDate> days = new TreeSet<>();
        if (params.snapshot()) {
            days.add(date);
            return days;
        }
        for (LocalDate d = date.minusDays(params.windowDays() - 1L); !d.isAfter(date); d = d.plusDays(1)) days.add(d);
        for (LocalDate d = start; d.isBefore(date); d = d.plusDays(1)) if (!published.containsKey(d)) days.add(d);
        return days;
    }

    /** Adds {@code _day} (the time column's day, or the snapshot's) and rejects rows without one, or in another day than their file's. */
    Dataset<Row> withDay(Dataset<Row> rows, Column fileDay, StepContext ctx) {
        if (params.snapshot()) return rows.withColumn("_day", fileDay != null ? fileDay : functions.lit(Date.valueOf(ctx.logicalDate())));
        if (!List.of(rows.columns()).contains(params.timeColumn())) {
            throw TreelineException.data("dataset '" + ctx.input(0) + "' has no column '" + params.timeColumn() + "' (columns: "
                    + String.join(", ", Arrays.stream(rows.columns()).filter(c -> !c.startsWith("_")).toList())
                    + "); fix params.time_column of step '" + ctx.step().name() + "' in " + ctx.pipeline().file());
        }
        Column ts = functions.col(params.timeColumn());
        Column day = functions.to_date(ts);
        Column reason = functions.col(SourceRows.REASON);
        reason = functions.coalesce(reason, functions.when(ts.isNull(), functions.lit(params.timeColumn() + " is missing")));
        if (fileDay != null) {
            reason = functions.coalesce(reason, functions.when(day.notEqual(fileDay),
                    functions.concat(functions.lit(params.timeColumn() + " = "), ts.cast("string"), functions.lit(" is not in the file's day "),
                            fileDay.cast("string"))));
        }
        return rows.withColumn("_day", fileDay != null ? fileDay : day).withColumn(SourceRows.REASON, reason);
    }

    record Publication(long rowsIn, long accepted, long rejected, Map<String, Long> topReasons, Map<String, Number> numbers) {}

    /**
     * Splits rows into accepted and rejected and publishes both for the days in {@code todo}. The accepted
     * rows are written in one pass that also counts every row and every rejection (observed metrics) and
     * keeps the rejected rows when they are few ({@link RejectSample}); only more of them take a second
     * pass. Over the reject budget nothing is published as accepted.
     *
     * <p>No filter on the reject reason may reach below the observation: pushed into the projection that
     * computes the typed columns, a predicate over every column makes Spark's constraint propagation
     * exponential in the number of columns (a 22-column CSV never finished planning). The day filter
     * needs no reason, and the observation is a node filters do not cross.
     */
    Publication publish(StepContext ctx, Dataset<Row> rows, List<LocalDate> todo, Map<LocalDate, String> fps,
                        PartitionedDataset curated, PartitionedDataset rejects, LocalDate undatedDay) {
        Column inTodo = functions.col("_day").isin(todo.stream().map(Date::valueOf).toArray());
        List<LocalDate> rejectDays = new ArrayList<>(todo);
        if (undatedDay != null && !rejectDays.contains(undatedDay)) rejectDays.add(undatedDay);
        long rowsIn = 0;
        long rejected = 0;
        PartitionedDataset.Staged good;
        Dataset<Row> scoped = null;
        List<Column> rejectColumns = List.of();
        RejectSample kept = null;
        if (rows == null) {
            good = curated.stage(null, todo);
        } else {
            // Rows of the days being written, and (whole-source mode) rows that have no day at all, which withDay rejected.
            Column keep = undatedDay == null ? inTodo : inTodo.or(functions.col("_day").isNull());
            List<String> declared = Arrays.stream(rows.columns()).filter(c -> !c.startsWith("_")).toList();
            // A rejected row as the quarantine keeps it: the values as read, the record, where it came from, why, its day.
            List<Column> cols = new ArrayList<>();
            for (String c : declared) cols.add(SourceRows.rawText(c).as(c));
            cols.add(functions.col(SourceRows.RAW_RECORD).as("raw_record"));
            cols.add(functions.col(SourceRows.SOURCE).as("source"));
            cols.add(functions.col(SourceRows.REASON).as(REASON));
            cols.add(functions.coalesce(functions.col("_day"), functions.lit(Date.valueOf(undatedDay == null ? todo.get(0) : undatedDay)))
                    .as(rejects == null ? "day" : rejects.column()));
            rejectColumns = cols;
            kept = new RejectSample(cols.size());
            Column rejectedRow = kept.keep(ctx.spark(), functions.col(SourceRows.REASON).isNotNull(), functions.struct(cols.toArray(Column[]::new)));
            Observation seen = new Observation("ingest-" + UUID.randomUUID());
            scoped = rows.filter(keep).observe(seen, functions.count(functions.lit(1)).as("rows"),
                    functions.count(functions.col(SourceRows.REASON)).as("rejected"), functions.count(rejectedRow).as("kept"));
            List<Column> goodCols = new ArrayList<>();
            for (String c : declared) goodCols.add(functions.col(c));
            goodCols.add(functions.col("_day").as(curated.column()));
            good = curated.stage(scoped.filter(functions.col(SourceRows.REASON).isNull()).select(goodCols.toArray(Column[]::new)), todo);
            try {
                Map<String, Object> counts = seen.getAsJava();
                if (counts.get("rows") == null) {
                    // Spark reports no observed metrics when no row reached the write: count directly.
                    Row r = scoped.agg(functions.count(functions.lit(1)), functions.count(functions.col(SourceRows.REASON))).first();
                    rowsIn = r.getLong(0);
                    rejected = r.getLong(1);
                } else {
                    rowsIn = ((Number) counts.get("rows")).longValue();
                    rejected = ((Number) counts.get("rejected")).longValue();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        long rejectedWritten = 0;
        Map<String, Long> top = new LinkedHashMap<>();
        // Whatever fails between staging the good rows and publishing them (the rejects' write on a full disk, a
        // reject ratio over the limit) drops their version, so its space comes back at once.
        try {
            // The rejected rows: kept by the writing pass when they were few, else read again.
            Dataset<Row> bad = null;
            if (rejected > 0) {
                StructType schema = scoped.select(rejectColumns.toArray(Column[]::new)).schema();
                // Read again, they are counted by reason and written: one pass over the source for both.
                bad = kept != null && kept.complete(rejected) ? ctx.spark().createDataFrame(kept.rows(), schema)
                        : scoped.filter(functions.col(SourceRows.REASON).isNotNull()).select(rejectColumns.toArray(Column[]::new))
                        .persist(StorageLevel.MEMORY_AND_DISK());
            }
            if (rejected > 0) {
                for (Row r : bad.groupBy(REASON).count().orderBy(functions.desc("count")).limit(3).collectAsList()) {
                    top.put(r.getString(0), r.getLong(1));
                }
                if (rejects == null) {
                    throw TreelineException.data(String.format("%,d of %,d rows could not be read (most common: %s); add a second output to step '%s' "
                            + "(a dataset partitioned by day) to quarantine them", rejected, rowsIn, top, ctx.step().name()));
                }
            }
            if (rejects != null) {
                rejectedWritten = rejects.stage(bad, rejectDays).publish(d -> fps.getOrDefault(d, fingerprint("undated"))).values().stream()
                        .mapToLong(Long::longValue).sum();
            }
            if (bad != null) bad.unpersist();
            double ratio = rowsIn == 0 ? 0 : (double) rejected / rowsIn;
            if (ratio > params.maxRejectRatio()) {
                throw TreelineException.data(String.format("%,d of %,d rows (%.2f%%) could not be read, above max_reject_ratio %.2f%% of step '%s'; "
                        + "most common: %s; the rows are in %s", rejected, rowsIn, 100 * ratio, 100 * params.maxRejectRatio(), ctx.step().name(),
                        top, DatasetException.display(rejects.location())));
            }
        } catch (Exception e) { // Spark throws its checked SparkException undeclared
            try {
                good.discard();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        long accepted = good.publish(fps::get).values().stream().mapToLong(Long::longValue).sum();
        if (accepted + rejectedWritten != rowsIn) {
            throw new IllegalStateException(String.format("row accounting broke: %d read, %d accepted + %d rejected written; "
                    + "did the source change while it was read? Run the date again", rowsIn, accepted, rejectedWritten));
        }
        Map<String, Number> numbers = new LinkedHashMap<>();
        numbers.put("days_written", todo.size());
        numbers.put("rows_in", rowsIn);
        numbers.put("rows_accepted", accepted);
        numbers.put("rows_rejected", rejected);
        return new Publication(rowsIn, accepted, rejected, top, numbers);
    }

    String fingerprint(String sourceFingerprint) {
        return Hashing.sha256(Json.canonical(Map.of("params", params, "source", sourceFingerprint, "version", version()))).substring(0, 16);
    }

    private static SourceFiles list(StepContext ctx, String location) {
        try {
            return SourceFiles.list(location, ctx.spark().sparkContext().hadoopConfiguration());
        } catch (IOException e) {
            throw TreelineException.data("cannot list " + DatasetException.display(location) + ": " + e.getMessage());
        }
    }
}
