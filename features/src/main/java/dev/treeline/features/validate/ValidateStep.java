package dev.treeline.features.validate;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.DatasetException;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.step.Phases;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;

/**
 * Holds the curated days to the dataset's contract. Per row: a row breaking a fail rule goes to the
 * rejects (values as they were, the rule, a reason); warn rules are counted. Per day: row count and its
 * change, null ratios, freshness, drift against a baseline window, the reject budget. A day breaking a
 * fail rule is not published as accepted and the step fails, naming rule, column and observed value.
 * Clean days are published as links to the curated files, so validation costs one read.
 */
final class ValidateStep implements Step {
    private final Contract contract;

    ValidateStep(Contract contract) {
        this.contract = contract;
    }

    @Override
    public String version() {
        return "2";
    }

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        PartitionedDataset input = ctx.catalog().partitioned(ctx.input(0));
        PartitionedDataset accepted = ctx.catalog().partitioned(ctx.output(0));
        PartitionedDataset rejects = ctx.catalog().partitioned(ctx.output(1));
        LocalDate date = ctx.logicalDate();

        TreeMap<LocalDate, PartitionMarker> in = new TreeMap<>(input.markers().headMap(date, true));
        if (!in.containsKey(date)) {
            throw TreelineException.data("dataset '" + ctx.input(0) + "' has no partition for " + date + " to validate; run the step that writes it first");
        }
        DayPlan plan = DayPlan.of(contract, version(), in, accepted.markers(), rejects.markers(), date);
        Map<LocalDate, String> fps = plan.fingerprints();
        List<LocalDate> todo = plan.todo();
        TreeSet<LocalDate> check = plan.check();

        RowChecks checks = new RowChecks(contract);
        Phases phases = new Phases(ctx.spark(), ctx.step().name());
        List<LocalDate> scan = plan.scan();
        // One frame over every day this run may read (one file listing); each use prunes it to its days.
        TreeSet<LocalDate> needed = new TreeSet<>(scan);
        if (in.get(date).rows() > 0) needed.add(date);
        needed.addAll(DriftCheck.baselineDays(contract, in, date));
        Dataset<Row> all = needed.isEmpty() ? null : input.read(needed);
        if (all != null) checkSchema(all, ctx);
        Function<Collection<LocalDate>, Dataset<Row>> days = ds ->
                all.filter(functions.col(input.column()).isin(ds.stream().map(Date::valueOf).toArray()));
        {
            ValidationReport report = new ValidationReport();
            report.dataset = ctx.input(0);
            report.logicalDate = date.toString();
            todo.forEach(d -> report.daysChecked.add(d.toString()));

            // One pass over the days to check: rejected rows are staged, every rule's breaches counted on the way.
            Map<String, Long> breaches = new LinkedHashMap<>();
            PartitionedDataset.Staged staged;
            ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": scan for rejects");
            long scanStart = System.nanoTime();
            // Only days where a rule can be broken are read: footer statistics clear range and null rules day by day,
            // and pattern or allowed-values rules are checked on each column's distinct values.
            List<LocalDate> candidates = CandidateDays.of(contract, input, days, in, scan);
            report.rowsIn = scan.stream().mapToLong(d -> in.get(d).rows()).sum();
            if (candidates.isEmpty()) {
                staged = rejects.stage(null, todo);
            } else {
                Observation seen = new Observation("validate-" + UUID.randomUUID());
                Dataset<Row> checked = checks.apply(days.apply(candidates));
                List<Column> counts = new ArrayList<>();
                counts.add(functions.count(functions.lit(1)).as("rows"));
                counts.add(functions.count(functions.col(RowChecks.REASON)).as("rejected"));
                for (RowRule r : checks.rules()) {
                    counts.add(functions.sum(functions.when(functions.coalesce(r.broken(), functions.lit(false)), 1).otherwise(0)).as(r.id()));
                }
                for (String u : checks.uniqueIds()) counts.add(functions.sum(functions.when(functions.col(RowChecks.RULE).equalTo(u), 1).otherwise(0)).as(u));
                Dataset<Row> observed = checked.observe(seen, counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new));
                staged = rejects.stage(observed.filter(functions.col(RowChecks.REASON).isNotNull())
                        .withColumnRenamed(RowChecks.RULE, "rule").withColumnRenamed(RowChecks.REASON, "reject_reason"), todo);
                Map<String, Object> got = seen.getAsJava();
                if (got.get("rows") == null) {
                    // Spark reports no observed metrics when no row reached the write (nothing rejected): count directly.
                    Row r = checked.agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new)).first();
                    got = new HashMap<>();
                    for (int i = 0; i < r.size(); i++) got.put(r.schema().fields()[i].name(), r.get(i));
                }
                report.rowsRejected = got.get("rejected") == null ? 0 : ((Number) got.get("rejected")).longValue();
                for (RowRule r : checks.rules()) breaches.put(r.id(), got.get(r.id()) == null ? 0 : ((Number) got.get(r.id())).longValue());
                for (String u : checks.uniqueIds()) breaches.put(u, got.get(u) == null ? 0 : ((Number) got.get(u)).longValue());
            }
            double scanSeconds = (System.nanoTime() - scanStart) / 1e9;
            report.rowsAccepted = report.rowsIn - report.rowsRejected;
            DayRules.rowRuleOutcomes(report, checks, breaches);
            TreeSet<LocalDate> failing = DayRules.datasetRules(contract, report, in, check, date, todo);
            phases.run("drift", () -> DriftCheck.check(contract, report, days, in, date, failing));
            ReportWriter.columnStats(contract, report, in.get(date));

            // Publish: rejects for every day checked anew; accepted rows for days that pass, linking the clean ones.
            phases.time("publish", () -> staged.publish(fps::get));
            List<LocalDate> publish = todo.stream().filter(d -> !failing.contains(d)).toList();
            List<LocalDate> clean = publish.stream().filter(d -> staged.rows(d) == 0).toList();
            List<LocalDate> dirty = publish.stream().filter(d -> staged.rows(d) > 0).toList();
            phases.run("publish", () -> accepted.linkFrom(input, clean, fps::get));
            if (!dirty.isEmpty()) {
                Dataset<Row> good = checks.apply(days.apply(dirty)).filter(functions.col(RowChecks.REASON).isNull()).drop(RowChecks.REASON, RowChecks.RULE);
                phases.time("rewrite_days_with_rejects", () -> accepted.replace(good, dirty, fps::get));
            }
            long written = publish.stream().mapToLong(d -> in.get(d).rows()).sum()
                    - dirty.stream().mapToLong(staged::rows).sum();
            long published = clean.stream().mapToLong(d -> in.get(d).rows()).sum() + dirty.stream().mapToLong(accepted::rows).sum();
            if (written != published) throw new IllegalStateException("row accounting broke: expected " + written + " accepted rows, published " + published);

            Path reportDir = ReportWriter.write(ctx, report);
            ReportWriter.logMetrics(ctx, report);
            if (report.status == Outcome.FAIL) {
                List<ValidationReport.RuleOutcome> failures = report.failures();
                ValidationReport.RuleOutcome first = failures.get(0);
                throw TreelineException.data("contract of '" + ctx.input(0) + "' failed: " + first.message()
                        + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : "")
                        + "; report: " + reportDir.resolve(ReportWriter.HTML));
            }
            for (var r : report.datasetRules) if (r.status() == Outcome.WARN) ctx.progress().detail("warning: " + r.message());
            for (var d : report.drift) if (d.status() == Outcome.WARN) ctx.progress().detail("warning: " + d.message());
            Map<String, Number> numbers = new LinkedHashMap<>();
            numbers.put("days_checked", todo.size());
            numbers.put("rows_in", report.rowsIn);
            numbers.put("rows_accepted", report.rowsAccepted);
            numbers.put("rows_rejected", report.rowsRejected);
            numbers.put("seconds_scan", Math.round(scanSeconds * 100) / 100.0);
            phases.into(numbers);
            String summary = String.format("%s: %d day(s) checked, %,d rows in = %,d accepted + %,d rejected; drift %s; report %s",
                    report.status, todo.size(), report.rowsIn, report.rowsAccepted, report.rowsRejected,
                    report.drift.isEmpty() ? "not checked" : report.drift.stream().map(x -> x.column() + " " + x.status()).toList(),
                    reportDir.resolve(ReportWriter.HTML));
            return StepResult.of(summary, numbers).withFacts(Map.of("status", report.status.label()));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void checkSchema(Dataset<Row> rows, StepContext ctx) {
        List<String> present = List.of(rows.columns());
        for (ColumnContract c : contract.columns().values()) {
            if (!present.contains(c.name())) {
                throw TreelineException.data("dataset '" + ctx.input(0) + "' has no column '" + c.name() + "' that its contract names (it has "
                        + present + "); fix the data or the contract");
            }
            DataType actual = rows.schema().apply(c.name()).dataType();
            if (!c.type().matches(actual)) {
                throw TreelineException.data("column '" + c.name() + "' of dataset '" + ctx.input(0) + "' is " + actual.simpleString()
                        + ", its contract says " + c.type().spelling() + "; fix the source schema or the contract");
            }
        }
    }

    static String display(String location) {
        return DatasetException.display(location);
    }
}
