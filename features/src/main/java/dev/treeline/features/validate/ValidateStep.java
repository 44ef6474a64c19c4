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
        String day = input.column();

        RowChecks checks = new RowChecks(contract);
        dev.treeline.pipelines.step.Phases phases = new dev.treeline.pipelines.step.Phases(ctx.spark(), ctx.step().name());
        List<LocalDate> scan = todo.stream().filter(d -> in.get(d).rows() > 0).toList();
        // One frame over every day this run may read (one file listing); each use prunes it to its days.
        TreeSet<LocalDate> needed = new TreeSet<>(scan);
        if (in.get(date).rows() > 0) needed.add(date);
        needed.addAll(baselineDays(in, date));
        Dataset<Row> all = needed.isEmpty() ? null : input.read(needed);
        if (all != null) checkSchema(all, ctx);
        java.util.function.Function<java.util.Collection<LocalDate>, Dataset<Row>> days = ds ->
                all.filter(functions.col(input.column()).isin(ds.stream().map(java.sql.Date::valueOf).toArray()));
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
            List<LocalDate> candidates = candidateDays(input, days, in, scan, checks);
            report.rowsIn = scan.stream().mapToLong(d -> in.get(d).rows()).sum();
            if (candidates.isEmpty()) {
                staged = rejects.stage(null, todo);
            } else {
                org.apache.spark.sql.Observation seen = new org.apache.spark.sql.Observation("validate-" + java.util.UUID.randomUUID());
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
            rowRuleOutcomes(report, checks, breaches);
            TreeSet<LocalDate> failing = datasetRules(report, in, check, date, todo);
            phases.run("drift", () -> drift(ctx, report, days, in, date, failing));
            columnStats(report, in.get(date));

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
            numbers.put("seconds_scan", Math.round(scanSeconds * 100) / 100.0);
            phases.into(numbers);
            String summary = String.format("%s: %d day(s) checked, %,d rows in = %,d accepted + %,d rejected; drift %s; report %s",
                    report.status, todo.size(), report.rowsIn, report.rowsAccepted, report.rowsRejected,
                    report.drift.isEmpty() ? "not checked" : report.drift.stream().map(x -> x.column() + " " + x.status()).toList(),
                    reportDir.resolve("report.html"));
            return StepResult.of(summary, numbers).withFacts(Map.of("report", reportDir.resolve("report.json").toString(), "status", report.status));
        }
    }

    // ---- which days to read -------------------------------------------------------------------

    /**
     * Days where some row could break a rule. A range or null rule cannot be broken on a day whose
     * footer statistics stay inside it; a pattern or allowed-values rule only where one of the column's
     * distinct values breaks it; a finite rule only where one of the column's values is NaN or infinite
     * (one query over those columns alone). Uniqueness rules need every day.
     */
    private List<LocalDate> candidateDays(PartitionedDataset input, java.util.function.Function<java.util.Collection<LocalDate>, Dataset<Row>> days,
                                          TreeMap<LocalDate, PartitionMarker> in, List<LocalDate> scan, RowChecks checks) {
        if (scan.isEmpty()) return List.of();
        if (!contract.unique().isEmpty()) return scan;
        TreeSet<LocalDate> out = new TreeSet<>();
        for (LocalDate d : scan) {
            PartitionMarker m = in.get(d);
            for (ColumnContract c : contract.columns().values()) {
                var stats = m.column(c.name());
                boolean mayBreak = stats == null && (!c.nullable() || c.min() != null || c.max() != null)
                        || stats != null && !c.nullable() && stats.nulls() > 0
                        || stats != null && c.min() != null && stats.min() != null && Double.parseDouble(stats.min()) < c.min()
                        || stats != null && c.max() != null && stats.max() != null && Double.parseDouble(stats.max()) > c.max();
                if (mayBreak) out.add(d);
            }
        }
        // Footers keep no count of NaN: the days with a non-finite value in a column with a finite rule, from those columns alone.
        List<ColumnContract> finite = contract.columns().values().stream().filter(c -> c.finite()
                && (c.type() == dev.treeline.pipelines.spec.ColumnType.DOUBLE || c.type() == dev.treeline.pipelines.spec.ColumnType.FLOAT)).toList();
        List<LocalDate> unchecked = scan.stream().filter(d -> !out.contains(d)).toList();
        if (!finite.isEmpty() && !unchecked.isEmpty()) {
            Column nonFinite = functions.lit(false);
            for (ColumnContract c : finite) {
                Column v = functions.col("`" + c.name() + "`");
                nonFinite = nonFinite.or(functions.isnan(v).or(v.equalTo(Double.POSITIVE_INFINITY)).or(v.equalTo(Double.NEGATIVE_INFINITY)));
            }
            String dayColumn = input.column();
            for (Row r : days.apply(unchecked).where(nonFinite).select(functions.col(dayColumn)).distinct().collectAsList()) {
                out.add(((java.sql.Date) r.get(0)).toLocalDate());
            }
        }
        List<LocalDate> rest = scan.stream().filter(d -> !out.contains(d)).toList();
        List<ColumnContract> valueRules = contract.columns().values().stream().filter(c -> c.pattern() != null || c.allowed() != null).toList();
        if (rest.isEmpty() || valueRules.isEmpty()) return new ArrayList<>(out);
        Dataset<Row> restRows = days.apply(rest);
        // Every checked column's distinct values in one job (few for codes such as airports).
        List<Column> sets = new ArrayList<>();
        for (ColumnContract c : valueRules) sets.add(functions.slice(functions.collect_set(functions.col("`" + c.name() + "`").cast("string")), 1, 100_001));
        Row distinct = restRows.agg(sets.get(0), sets.subList(1, sets.size()).toArray(Column[]::new)).first();
        Column anyBad = functions.lit(false);
        for (int i = 0; i < valueRules.size(); i++) {
            ColumnContract c = valueRules.get(i);
            List<String> values = distinct.getList(i);
            if (values.size() > 100_000) return scan;
            java.util.regex.Pattern pattern = c.pattern() == null ? null : java.util.regex.Pattern.compile(c.pattern());
            List<String> bad = values.stream()
                    .filter(x -> (pattern != null && !pattern.matcher(x).find()) || (c.allowed() != null && !c.allowed().contains(x))).toList();
            if (!bad.isEmpty()) anyBad = anyBad.or(functions.col("`" + c.name() + "`").cast("string").isin(bad.toArray()));
        }
        String day = input.column();
        for (Row r : restRows.where(anyBad).select(functions.col(day)).distinct().collectAsList()) out.add(((java.sql.Date) r.get(0)).toLocalDate());
        return new ArrayList<>(out);
    }

    // ---- rules ------------------------------------------------------------------------------

    private void rowRuleOutcomes(ValidationReport report, RowChecks checks, Map<String, Long> breaches) {
        Map<String, RowRule> byId = new HashMap<>();
        for (RowRule r : checks.rules()) byId.put(r.id(), r);
        List<String> ids = new ArrayList<>(byId.keySet().stream().sorted().toList());
        ids.addAll(checks.uniqueIds());
        for (String id : ids) {
            long n = breaches.getOrDefault(id, 0L);
            RowRule r = byId.get(id);
            Severity sev = r == null ? Severity.FAIL : r.severity();
            String status = n == 0 ? "pass" : sev == Severity.FAIL ? "rejected" : "warn";
            if (status.equals("warn")) report.worsen("warn");
            report.rowRules.add(new ValidationReport.RuleOutcome(id, r == null ? id.substring(7, id.length() - 1) : r.column(), sev.spelling(),
                    null, Long.toString(n), null, status, n + " row(s) break " + id));
        }
    }

    /** Day rules from the input partitions' markers (row counts and footer statistics): no data is read. */
    private TreeSet<LocalDate> datasetRules(ValidationReport report, TreeMap<LocalDate, PartitionMarker> in,
                                            TreeSet<LocalDate> check, LocalDate date, List<LocalDate> todo) {
        TreeSet<LocalDate> failing = new TreeSet<>();
        for (LocalDate d : check) {
            PartitionMarker m = in.get(d);
            long rows = m.rows();
            Contract.RowRules rr = contract.rows();
            if (rr != null && (rr.min() != null || rr.max() != null)) {
                boolean low = rr.min() != null && rows < rr.min();
                boolean high = rr.max() != null && rows > rr.max();
                String threshold = (rr.min() == null ? "" : ">= " + rr.min()) + (rr.min() != null && rr.max() != null ? " and " : "") + (rr.max() == null ? "" : "<= " + rr.max());
                outcome(report, failing, d, "rows", null, rr.severity(), low || high, Long.toString(rows), threshold,
                        "rows on " + d + ": " + rows + " rows, the contract wants " + threshold);
            }
            if (rr != null && rr.maxChange() != null) {
                var prev = in.lowerEntry(d);
                if (prev != null && prev.getValue().rows() > 0) {
                    double change = Math.abs(rows - prev.getValue().rows()) / (double) prev.getValue().rows();
                    outcome(report, failing, d, "rows.max_change", null, rr.changeSeverity(), change > rr.maxChange(), String.format("%.3f", change),
                            "<= " + rr.maxChange(), String.format("rows.max_change on %s: %d rows vs %d on %s, a change of %.1f%% (limit %.1f%%)",
                                    d, rows, prev.getValue().rows(), prev.getKey(), 100 * change, 100 * rr.maxChange()));
                }
            }
            for (ColumnContract c : contract.columns().values()) {
                if (c.maxNullRatio() == null || rows == 0) continue;
                var col = m.column(c.name());
                long nulls = col == null ? 0 : col.nulls();
                double ratio = nulls / (double) rows;
                outcome(report, failing, d, "max_null_ratio", c.name(), c.severity(), ratio > c.maxNullRatio(), String.format("%.4f", ratio),
                        "<= " + c.maxNullRatio(), String.format("max_null_ratio on column %s, %s: %.2f%% of %d rows are null (limit %.2f%%)",
                                c.name(), d, 100 * ratio, rows, 100 * c.maxNullRatio()));
            }
        }
        if (contract.freshness() != null) {
            Contract.Freshness f = contract.freshness();
            var col = in.get(date).column(f.column());
            LocalDateTime latest = col == null || col.max() == null ? null : LocalDateTime.parse(col.max());
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
            String most = report.rowRules.stream().filter(r -> !r.status().equals("pass"))
                    .max(java.util.Comparator.comparingLong(r -> Long.parseLong(r.observed())))
                    .map(r -> "; most common: " + r.rule() + " (" + r.observed() + " rows)").orElse("");
            outcome(report, new TreeSet<>(), null, "max_reject_ratio", null, Severity.FAIL, over, String.format("%.4f", ratio),
                    "<= " + contract.maxRejectRatio(), String.format("max_reject_ratio: %,d of %,d rows (%.2f%%) were rejected (limit %.2f%%)%s; "
                            + "the rejected rows are kept with their reasons", report.rowsRejected, report.rowsIn, 100 * ratio,
                            100 * contract.maxRejectRatio(), most));
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

    private List<LocalDate> baselineDays(TreeMap<LocalDate, PartitionMarker> in, LocalDate date) {
        if (contract.drift().isEmpty()) return List.of();
        return in.subMap(date.minusDays(contract.driftBaselineDays()), true, date, false).entrySet().stream()
                .filter(e -> e.getValue().rows() > 0).map(Map.Entry::getKey).toList();
    }

    private void drift(StepContext ctx, ValidationReport report, java.util.function.Function<java.util.Collection<LocalDate>, Dataset<Row>> days,
                       TreeMap<LocalDate, PartitionMarker> in, LocalDate date, TreeSet<LocalDate> failing) {
        if (contract.drift().isEmpty()) return;
        if (in.get(date).rows() == 0) {
            report.driftBaseline = "not checked: no rows on " + date;
            return;
        }
        List<LocalDate> baselineDays = baselineDays(in, date);
        if (baselineDays.isEmpty()) {
            report.driftBaseline = "none: no days in the " + contract.driftBaselineDays() + " days before " + date;
            for (DriftRule r : contract.drift().values()) {
                report.drift.add(new ValidationReport.DriftOutcome(r.column(), kind(r.column()), null, null, "skipped", "no baseline yet"));
            }
            return;
        }
        report.driftBaseline = baselineDays.get(0) + " to " + baselineDays.get(baselineDays.size() - 1) + " (" + baselineDays.size() + " days)";
        // Drift is about the incoming data: curated rows, before any is rejected.
        Dataset<Row> current = days.apply(List.of(date));
        Dataset<Row> baseline = days.apply(baselineDays).cache();
        try {
            List<String> numeric = contract.drift().keySet().stream().filter(c -> kind(c).equals("numeric")).toList();
            Map<String, Drift.Result> results = new HashMap<>(Drift.numeric(baseline, current, numeric));
            results.putAll(Drift.categorical(baseline, current, contract.drift().keySet().stream().filter(c -> !numeric.contains(c)).toList()));
            for (DriftRule r : contract.drift().values()) {
                Drift.Result res = results.get(r.column());
                String kind = kind(r.column());
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

    /** Column statistics of the logical date from its partition's footer statistics. */
    private void columnStats(ValidationReport report, PartitionMarker marker) {
        for (ColumnContract c : contract.columns().values()) {
            var col = marker.column(c.name());
            long nulls = col == null ? 0 : col.nulls();
            report.columns.add(new ValidationReport.ColumnStats(c.name(), c.type().spelling(), marker.rows(), nulls,
                    marker.rows() == 0 ? 0 : (double) nulls / marker.rows(), col == null || !c.showsExtremes() ? null : col.min(),
                    col == null || !c.showsExtremes() ? null : col.max(), null, null));
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
