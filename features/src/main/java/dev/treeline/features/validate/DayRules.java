package dev.treeline.features.validate;

import dev.treeline.pipelines.catalog.PartitionMarker;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The contract's rules over days and rows, as pure functions of the partitions' markers and the breach
 * counts of the scan: no data is read. Each adds its outcomes to the report and returns the days that fail.
 */
final class DayRules {
    private DayRules() {}

    /** Each row rule's outcome from its count of breaking rows. */
    static void rowRuleOutcomes(ValidationReport report, RowChecks checks, Map<String, Long> breaches) {
        Map<String, RowRule> byId = new HashMap<>();
        for (RowRule r : checks.rules()) byId.put(r.id(), r);
        List<String> ids = new ArrayList<>(byId.keySet().stream().sorted().toList());
        ids.addAll(checks.uniqueIds());
        for (String id : ids) {
            long n = breaches.getOrDefault(id, 0L);
            RowRule r = byId.get(id);
            Severity sev = r == null ? Severity.FAIL : r.severity();
            Outcome status = n == 0 ? Outcome.PASS : sev == Severity.FAIL ? Outcome.REJECTED : Outcome.WARN;
            report.worsen(status);
            report.rowRules.add(new ValidationReport.RuleOutcome(id, r == null ? id.substring(7, id.length() - 1) : r.column(), sev.spelling(),
                    null, Long.toString(n), null, status, n + " row(s) break " + id));
        }
    }

    /** Day rules from the input partitions' markers (row counts and footer statistics): no data is read. */
    static TreeSet<LocalDate> datasetRules(Contract contract, ValidationReport report, TreeMap<LocalDate, PartitionMarker> in,
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
            String most = report.rowRules.stream().filter(r -> r.status() != Outcome.PASS)
                    .max(Comparator.comparingLong(r -> Long.parseLong(r.observed())))
                    .map(r -> "; most common: " + r.rule() + " (" + r.observed() + " rows)").orElse("");
            outcome(report, new TreeSet<>(), null, "max_reject_ratio", null, Severity.FAIL, over, String.format("%.4f", ratio),
                    "<= " + contract.maxRejectRatio(), String.format("max_reject_ratio: %,d of %,d rows (%.2f%%) were rejected (limit %.2f%%)%s; "
                            + "the rejected rows are kept with their reasons", report.rowsRejected, report.rowsIn, 100 * ratio,
                            100 * contract.maxRejectRatio(), most));
        }
        return failing;
    }

    static void outcome(ValidationReport report, TreeSet<LocalDate> failing, LocalDate day, String rule, String column, Severity severity,
                                boolean broken, String observed, String threshold, String message) {
        Outcome status = broken ? Outcome.broken(severity) : Outcome.PASS;
        report.worsen(status);
        if (broken && severity == Severity.FAIL && day != null) failing.add(day);
        report.datasetRules.add(new ValidationReport.RuleOutcome(rule, column, severity.spelling(), day == null ? null : day.toString(),
                observed, threshold, status, message));
    }
}
