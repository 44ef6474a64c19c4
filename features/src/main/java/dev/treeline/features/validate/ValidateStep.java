package dev.treeline.features.validate;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.DatasetException;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.apache.spark.storage.StorageLevel;

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
        String day = input.column();

        TreeMap<LocalDate, PartitionMarker> in = new TreeMap<>(input.markers().headMap(date, true));
        if (!in.containsKey(date)) {
            throw TreelineException.data("dataset '" + ctx.input(0) + "' has no partition for " + date + " to validate; run the step that writes it first");
        }
        TreeMap<LocalDate, PartitionMarker> doneA = accepted.markers();
        TreeMap<LocalDate, PartitionMarker> doneR = rejects.markers();
        Map<LocalDate, String> fps = new TreeMap<>();
        List<LocalDate> todo = new ArrayList<>();
        for (var e : in.entrySet()) {
            String fp = Hashing.sha256(Json.canonical(Map.of("contract", contract, "input", e.getValue().fingerprint(), "version", version()))).substring(0, 16);
            fps.put(e.getKey(), fp);
            PartitionMarker r = doneR.get(e.getKey());
            PartitionMarker a = doneA.get(e.getKey());
            if (r == null || !fp.equals(r.fingerprint()) || (a != null && !fp.equals(a.fingerprint())) || (a == null && e.getKey().equals(date))) {
                todo.add(e.getKey());
            }
        }
        // The logical date's day rules and drift are checked on every run, even when its rows are already validated.
        TreeSet<LocalDate> check = new TreeSet<>(todo);
        check.add(date);

        RowChecks checks = new RowChecks(contract);
        List<LocalDate> withRows = check.stream().filter(d -> in.get(d).rows() > 0).toList();
        Dataset<Row> rows = withRows.isEmpty() ? null : input.read(withRows);
        if (rows != null) checkSchema(rows, ctx);
        Dataset<Row> checked = rows == null ? null : checks.apply(rows).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            ValidationReport report = new ValidationReport();
            report.dataset = ctx.input(0);
            report.logicalDate = date.toString();
            todo.forEach(d -> report.daysChecked.add(d.toString()));
            Map<LocalDate, DayStats> stats = checked == null ? Map.of() : dayStats(checked, checks, day);

            for (LocalDate d : todo) {
                DayStats s = stats.getOrDefault(d, DayStats.EMPTY);
                report.rowsIn += s.rows;
                report.rowsRejected += s.rejected;
            }
            report.rowsAccepted = report.rowsIn - report.rowsRejected;
            rowRuleOutcomes(report, checks, stats, todo);
            TreeSet<LocalDate> failing = datasetRules(report, stats, in, check, date, todo);
            if (checked != null) drift(ctx, report, checks, checked, input, in, date, day, failing);
            columnStats(report, checked, date, day);

            // Publish: rejects for every day checked anew; accepted rows for days that pass, linking clean days.
            if (!todo.isEmpty()) {
                Dataset<Row> bad = checked == null ? null : rejectsOf(checked, todo, day);
                rejects.replace(bad, todo, fps::get);
                List<LocalDate> publish = todo.stream().filter(d -> !failing.contains(d)).toList();
                List<LocalDate> clean = publish.stream().filter(d -> stats.getOrDefault(d, DayStats.EMPTY).rejected == 0).toList();
                List<LocalDate> dirty = publish.stream().filter(d -> !clean.contains(d)).toList();
                accepted.linkFrom(input, clean, fps::get);
                if (!dirty.isEmpty()) {
                    Dataset<Row> good = checked.filter(functions.col(day).isin(dirty.stream().map(java.sql.Date::valueOf).toArray())
                            .and(functions.col(RowChecks.REASON).isNull())).drop(RowChecks.REASON, RowChecks.RULE);
                    accepted.replace(good, dirty, fps::get);
                }
                long written = publish.stream().mapToLong(accepted::rows).sum() + todo.stream().mapToLong(rejects::rows).sum();
                long expected = todo.stream().filter(d -> !failing.contains(d)).mapToLong(d -> stats.getOrDefault(d, DayStats.EMPTY).rows).sum()
                        + todo.stream().filter(failing::contains).mapToLong(d -> stats.getOrDefault(d, DayStats.EMPTY).rejected).sum();
                if (written != expected) throw new IllegalStateException("row accounting broke: expected " + expected + " rows written, found " + written);
            }

            Path reportDir = writeReport(ctx, report);
            logMetrics(ctx, report);
            if (report.status.equals("fail")) {
                List<ValidationReport.RuleOutcome> failures = report.failures();
                ValidationReport.RuleOutcome first = failures.get(0);
                throw TreelineException.data("contract of '" + ctx.input(0) + "' failed: " + first.message()
                        + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : "")
                        + "; report: " + reportDir.resolve("report.html"));
            }
            for (var r : report.datasetRules) if (r.status().equals("warn")) ctx.progress().detail("warning: " + r.message());
            for (var d : report.drift) if (d.status().equals("warn")) ctx.progress().detail("warning: " + d.message());
            Map<String, Number> numbers = new LinkedHashMap<>();
            numbers.put("days_checked", todo.size());
            numbers.put("rows_in", report.rowsIn);
            numbers.put("rows_accepted", report.rowsAccepted);
            numbers.put("rows_rejected", report.rowsRejected);
            String summary = String.format("%s: %d day(s) checked, %,d rows in = %,d accepted + %,d rejected; drift %s; report %s",
                    report.status, todo.size(), report.rowsIn, report.rowsAccepted, report.rowsRejected,
                    report.drift.isEmpty() ? "not checked" : report.drift.stream().map(x -> x.column() + " " + x.status()).toList(),
                    reportDir.resolve("report.html"));
            return StepResult.of(summary, numbers);
        } finally {
            if (checked != null) checked.unpersist();
        }
    }

    // ---- per-day statistics -------------------------------------------------------------------

    record DayStats(long rows, long rejected, Map<String, Long> broken, Map<String, Long> nulls, LocalDateTime latest) {
        static final DayStats EMPTY = new DayStats(0, 0, Map.of(), Map.of(), null);
    }

    private Map<LocalDate, DayStats> dayStats(Dataset<Row> checked, RowChecks checks, String day) {
        List<Column> aggs = new ArrayList<>();
        aggs.add(functions.count(functions.lit(1)));
        aggs.add(functions.count(functions.col(RowChecks.REASON)));
        for (RowRule r : checks.rules()) aggs.add(functions.sum(functions.when(functions.coalesce(r.broken(), functions.lit(false)), 1).otherwise(0)));
        for (String u : checks.uniqueIds()) aggs.add(functions.sum(functions.when(functions.col(RowChecks.RULE).equalTo(u), 1).otherwise(0)));
        List<String> columns = new ArrayList<>(contract.columns().keySet());
        for (String c : columns) aggs.add(functions.sum(functions.when(functions.col("`" + c + "`").isNull(), 1).otherwise(0)));
        String fresh = contract.freshness() == null ? null : contract.freshness().column();
        aggs.add(fresh == null ? functions.lit(null) : functions.max(functions.col("`" + fresh + "`").cast("timestamp_ntz")));
        Map<LocalDate, DayStats> out = new HashMap<>();
        for (Row r : checked.groupBy(functions.col(day)).agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).collectAsList()) {
            int i = 1;
            long rows = r.getLong(i++);
            long rejected = r.getLong(i++);
            Map<String, Long> broken = new LinkedHashMap<>();
            for (RowRule rule : checks.rules()) broken.put(rule.id(), r.isNullAt(i) ? 0 : r.getLong(i++));
            for (String u : checks.uniqueIds()) broken.put(u, r.isNullAt(i) ? 0 : r.getLong(i++));
            Map<String, Long> nulls = new LinkedHashMap<>();
            for (String c : columns) nulls.put(c, r.isNullAt(i) ? 0 : r.getLong(i++));
            Object latest = r.get(i);
            out.put(((java.sql.Date) r.get(0)).toLocalDate(), new DayStats(rows, rejected, broken, nulls,
                    latest instanceof LocalDateTime t ? t : latest instanceof java.sql.Timestamp ts ? ts.toLocalDateTime() : null));
        }
        return out;
    }

    private void rowRuleOutcomes(ValidationReport report, RowChecks checks, Map<LocalDate, DayStats> stats, List<LocalDate> todo) {
        List<String> ids = new ArrayList<>();
        Map<String, RowRule> byId = new HashMap<>();
        for (RowRule r : checks.rules()) {
            ids.add(r.id());
            byId.put(r.id(), r);
        }
        ids.addAll(checks.uniqueIds());
        for (String id : ids) {
            long n = todo.stream().mapToLong(d -> stats.getOrDefault(d, DayStats.EMPTY).broken().getOrDefault(id, 0L)).sum();
            RowRule r = byId.get(id);
            Severity sev = r == null ? Severity.FAIL : r.severity();
            String status = n == 0 ? "pass" : sev == Severity.FAIL ? "rejected" : "warn";
            if (status.equals("warn")) report.worsen("warn");
            report.rowRules.add(new ValidationReport.RuleOutcome(id, r == null ? id.substring(7, id.length() - 1) : r.column(), sev.spelling(),
                    null, Long.toString(n), null, status, n + " row(s) break " + id));
        }
    }

    // ---- dataset rules ------------------------------------------------------------------------

    private TreeSet<LocalDate> datasetRules(ValidationReport report, Map<LocalDate, DayStats> stats, TreeMap<LocalDate, PartitionMarker> in,
                                            TreeSet<LocalDate> check, LocalDate date, List<LocalDate> todo) {
        TreeSet<LocalDate> failing = new TreeSet<>();
        String dataset = report.dataset;
        for (LocalDate d : check) {
            DayStats s = stats.getOrDefault(d, DayStats.EMPTY);
            Contract.RowRules rr = contract.rows();
            if (rr != null && (rr.min() != null || rr.max() != null)) {
                boolean low = rr.min() != null && s.rows < rr.min();
                boolean high = rr.max() != null && s.rows > rr.max();
                String threshold = (rr.min() == null ? "" : ">= " + rr.min()) + (rr.min() != null && rr.max() != null ? " and " : "") + (rr.max() == null ? "" : "<= " + rr.max());
                outcome(report, failing, d, "rows", null, rr.severity(), low || high, Long.toString(s.rows), threshold,
                        "rows on " + d + ": " + s.rows + " rows, the contract wants " + threshold);
            }
            if (rr != null && rr.maxChange() != null) {
                var prev = in.lowerEntry(d);
                if (prev != null && prev.getValue().rows() > 0) {
                    double change = Math.abs(s.rows - prev.getValue().rows()) / (double) prev.getValue().rows();
                    outcome(report, failing, d, "rows.max_change", null, rr.changeSeverity(), change > rr.maxChange(), String.format("%.3f", change),
                            "<= " + rr.maxChange(), String.format("rows.max_change on %s: %d rows vs %d on %s, a change of %.1f%% (limit %.1f%%)",
                                    d, s.rows, prev.getValue().rows(), prev.getKey(), 100 * change, 100 * rr.maxChange()));
                }
            }
            for (ColumnContract c : contract.columns().values()) {
                if (c.maxNullRatio() == null || s.rows == 0) continue;
                double ratio = s.nulls().getOrDefault(c.name(), 0L) / (double) s.rows;
                outcome(report, failing, d, "max_null_ratio", c.name(), c.severity(), ratio > c.maxNullRatio(), String.format("%.4f", ratio),
                        "<= " + c.maxNullRatio(), String.format("max_null_ratio on column %s, %s: %.2f%% of %d rows are null (limit %.2f%%)",
                                c.name(), d, 100 * ratio, s.rows, 100 * c.maxNullRatio()));
            }
        }
        if (contract.freshness() != null) {
            Contract.Freshness f = contract.freshness();
            LocalDateTime latest = stats.getOrDefault(date, DayStats.EMPTY).latest();
            LocalDateTime threshold = date.plusDays(1).atStartOfDay().minusMinutes(Math.round(f.maxAgeHours() * 60));
            boolean stale = latest == null || latest.isBefore(threshold);
            outcome(report, failing, date, "freshness", f.column(), f.severity(), stale, latest == null ? "no rows" : latest.toString(),
                    ">= " + threshold, "freshness of column " + f.column() + " on " + date + ": latest value " + (latest == null ? "none (no rows)" : latest)
                            + " is older than " + threshold + " (max age " + f.maxAgeHours() + " h)");
        }
        if (report.rowsIn > 0) {
            double ratio = report.rowsRejected / (double) report.rowsIn;
            boolean over = ratio > contract.maxRejectRatio();
            if (over) failing.addAll(todo);
            outcome(report, new TreeSet<>(), null, "max_reject_ratio", null, Severity.FAIL, over, String.format("%.4f", ratio),
                    "<= " + contract.maxRejectRatio(), String.format("max_reject_ratio: %,d of %,d rows (%.2f%%) were rejected (limit %.2f%%); "
                            + "the rejected rows are kept with their reasons", report.rowsRejected, report.rowsIn, 100 * ratio, 100 * contract.maxRejectRatio()));
        }
        return failing;
    }

    private static void outcome(ValidationReport report, TreeSet<LocalDate> failing, LocalDate day, String rule, String column, Severity severity,
                                boolean broken, String observed, String threshold, String message) {
        String status = !broken ? "pass" : severity == Severity.FAIL ? "fail" : "warn";
        if (broken) report.worsen(status);
        if (broken && severity == Severity.FAIL && day != null) failing.add(day);
        report.datasetRules.add(new ValidationReport.RuleOutcome(rule, column, severity.spelling(), day == null ? null : day.toString(),
                observed, threshold, status, message));
    }

    // ---- drift --------------------------------------------------------------------------------

    private void drift(StepContext ctx, ValidationReport report, RowChecks checks, Dataset<Row> checked, PartitionedDataset input,
                       TreeMap<LocalDate, PartitionMarker> in, LocalDate date, String day, TreeSet<LocalDate> failing) {
        if (contract.drift().isEmpty()) return;
        List<LocalDate> baselineDays = in.subMap(date.minusDays(contract.driftBaselineDays()), true, date, false).entrySet().stream()
                .filter(e -> e.getValue().rows() > 0).map(Map.Entry::getKey).toList();
        if (baselineDays.isEmpty()) {
            report.driftBaseline = "none: no days in the " + contract.driftBaselineDays() + " days before " + date;
            for (DriftRule r : contract.drift().values()) {
                report.drift.add(new ValidationReport.DriftOutcome(r.column(), kind(r.column()), null, null, "skipped", "no baseline yet"));
            }
            return;
        }
        report.driftBaseline = baselineDays.get(0) + " to " + baselineDays.get(baselineDays.size() - 1) + " (" + baselineDays.size() + " days)";
        Dataset<Row> current = checked.filter(functions.col(day).equalTo(functions.lit(java.sql.Date.valueOf(date))).and(functions.col(RowChecks.REASON).isNull()));
        Dataset<Row> baseline = checks.apply(input.read(baselineDays)).filter(functions.col(RowChecks.REASON).isNull())
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            for (DriftRule r : contract.drift().values()) {
                String kind = kind(r.column());
                Drift.Result res = kind.equals("numeric") ? Drift.numeric(baseline, current, r.column()) : Drift.categorical(baseline, current, r.column());
                String status = "pass";
                String message = String.format("drift of column %s on %s: PSI %.4f", r.column(), date, res.psi());
                if (r.psiFail() != null && res.psi() > r.psiFail()) status = "fail";
                else if (r.psiWarn() != null && res.psi() > r.psiWarn()) status = "warn";
                if (!status.equals("pass")) message += " against the baseline (" + status + " above " + (status.equals("fail") ? r.psiFail() : r.psiWarn()) + ")";
                if (res.newCategoryRate() != null) {
                    message += String.format(", new categories %.2f%% of rows", 100 * res.newCategoryRate());
                    if (r.newCategoryFail() != null && res.newCategoryRate() > r.newCategoryFail()) {
                        status = "fail";
                        message += " (fail above " + 100 * r.newCategoryFail() + "%)";
                    } else if (r.newCategoryWarn() != null && res.newCategoryRate() > r.newCategoryWarn() && status.equals("pass")) {
                        status = "warn";
                        message += " (warn above " + 100 * r.newCategoryWarn() + "%)";
                    }
                }
                report.worsen(status);
                if (status.equals("fail")) {
                    failing.add(date);
                    report.datasetRules.add(new ValidationReport.RuleOutcome("drift", r.column(), "fail", date.toString(),
                            String.format("%.4f", res.psi()), String.valueOf(r.psiFail()), "fail", message));
                }
                report.drift.add(new ValidationReport.DriftOutcome(r.column(), kind, res.psi(), res.newCategoryRate(), status, message));
            }
        } finally {
            baseline.unpersist();
        }
    }

    private String kind(String column) {
        return contract.columns().get(column).type().isNumeric() ? "numeric" : "categorical";
    }

    // ---- report -------------------------------------------------------------------------------

    private void columnStats(ValidationReport report, Dataset<Row> checked, LocalDate date, String day) {
        if (checked == null) return;
        Dataset<Row> d = checked.filter(functions.col(day).equalTo(functions.lit(java.sql.Date.valueOf(date))));
        List<Column> aggs = new ArrayList<>();
        List<String> cols = new ArrayList<>(contract.columns().keySet());
        for (String c : cols) {
            Column v = functions.col("`" + c + "`");
            boolean numeric = contract.columns().get(c).type().isNumeric();
            aggs.add(functions.count(functions.lit(1)));
            aggs.add(functions.sum(functions.when(v.isNull(), 1).otherwise(0)));
            aggs.add(functions.min(v).cast("string"));
            aggs.add(functions.max(v).cast("string"));
            aggs.add(numeric ? functions.avg(v) : functions.lit(null).cast("double"));
            aggs.add(functions.approx_count_distinct(v));
        }
        Row r = d.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
        for (int i = 0; i < cols.size(); i++) {
            int b = i * 6;
            long rows = r.getLong(b);
            long nulls = r.isNullAt(b + 1) ? 0 : r.getLong(b + 1);
            report.columns.add(new ValidationReport.ColumnStats(cols.get(i), contract.columns().get(cols.get(i)).type().spelling(), rows, nulls,
                    rows == 0 ? 0 : (double) nulls / rows, r.isNullAt(b + 2) ? null : r.getString(b + 2), r.isNullAt(b + 3) ? null : r.getString(b + 3),
                    r.isNullAt(b + 4) ? null : r.getDouble(b + 4), r.getLong(b + 5)));
        }
    }

    private Path writeReport(StepContext ctx, ValidationReport report) throws Exception {
        Path dir = ctx.step().outputs().size() > 2 ? null : ctx.scratchDir().resolve("validation");
        if (dir == null) {
            dir = ctx.catalog().publishDirectory(ctx.output(2), staging -> {
                Files.writeString(staging.resolve("report.json"), Json.write(report), StandardCharsets.UTF_8);
                Files.writeString(staging.resolve("report.html"), ReportHtml.render(report), StandardCharsets.UTF_8);
            });
        } else {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("report.json"), Json.write(report), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("report.html"), ReportHtml.render(report), StandardCharsets.UTF_8);
        }
        ctx.tracker().logArtifacts(dir, "validation");
        return dir;
    }

    private static void logMetrics(StepContext ctx, ValidationReport report) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("validate_rows_in", (double) report.rowsIn);
        m.put("validate_rows_accepted", (double) report.rowsAccepted);
        m.put("validate_rows_rejected", (double) report.rowsRejected);
        for (var d : report.drift) if (d.psi() != null) m.put("drift_psi_" + d.column(), d.psi());
        ctx.tracker().logMetrics(m);
        ctx.tracker().setTags(Map.of("treeline.validation_status", report.status));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Dataset<Row> rejectsOf(Dataset<Row> checked, List<LocalDate> todo, String day) {
        return checked.filter(functions.col(day).isin(todo.stream().map(java.sql.Date::valueOf).toArray()).and(functions.col(RowChecks.REASON).isNotNull()))
                .withColumnRenamed(RowChecks.RULE, "rule").withColumnRenamed(RowChecks.REASON, "reject_reason");
    }

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
