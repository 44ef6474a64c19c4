package dev.treeline.features.validate;

import dev.treeline.pipelines.catalog.PartitionMarker;
import java.time.LocalDate;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Drift of the logical date's incoming rows against a baseline window of earlier days. */
final class DriftCheck {
    private DriftCheck() {}

    /** The days before {@code date} in the drift baseline window that have rows. */
    static List<LocalDate> baselineDays(Contract contract, TreeMap<LocalDate, PartitionMarker> in, LocalDate date) {
        if (contract.drift().isEmpty()) return List.of();
        return in.subMap(date.minusDays(contract.driftBaselineDays()), true, date, false).entrySet().stream()
                .filter(e -> e.getValue().rows() > 0).map(Map.Entry::getKey).toList();
    }

    /** PSI (and new categories) of the logical date against the baseline days, per drift rule; a failing rule fails the date. */
    static void check(Contract contract, ValidationReport report, Function<Collection<LocalDate>, Dataset<Row>> days,
                      TreeMap<LocalDate, PartitionMarker> in, LocalDate date, TreeSet<LocalDate> failing) {
        if (contract.drift().isEmpty()) return;
        if (in.get(date).rows() == 0) {
            report.driftBaseline = "not checked: no rows on " + date;
            return;
        }
        List<LocalDate> baselineDays = baselineDays(contract, in, date);
        if (baselineDays.isEmpty()) {
            report.driftBaseline = "none: no days in the " + contract.driftBaselineDays() + " days before " + date;
            for (DriftRule r : contract.drift().values()) {
                report.drift.add(new ValidationReport.DriftOutcome(r.column(), kind(contract, r.column()), null, null, Outcome.SKIPPED, "no baseline yet"));
            }
            return;
        }
        report.driftBaseline = baselineDays.get(0) + " to " + baselineDays.get(baselineDays.size() - 1) + " (" + baselineDays.size() + " days)";
        // Drift is about the incoming data: curated rows, before any is rejected.
        Dataset<Row> current = days.apply(List.of(date));
        Dataset<Row> baseline = days.apply(baselineDays).cache();
        try {
            List<String> numeric = contract.drift().keySet().stream().filter(c -> kind(contract, c).equals("numeric")).toList();
            Map<String, Drift.Result> results = new HashMap<>(Drift.numeric(baseline, current, numeric));
            results.putAll(Drift.categorical(baseline, current, contract.drift().keySet().stream().filter(c -> !numeric.contains(c)).toList()));
            for (DriftRule r : contract.drift().values()) {
                Drift.Result res = results.get(r.column());
                String kind = kind(contract, r.column());
                Outcome status = Outcome.PASS;
                String message = String.format("drift of column %s on %s: PSI %.4f", r.column(), date, res.psi());
                if (r.psiFail() != null && res.psi() > r.psiFail()) status = Outcome.FAIL;
                else if (r.psiWarn() != null && res.psi() > r.psiWarn()) status = Outcome.WARN;
                if (status != Outcome.PASS) message += " against the baseline (" + status + " above " + (status == Outcome.FAIL ? r.psiFail() : r.psiWarn()) + ")";
                if (res.newCategoryRate() != null) {
                    message += String.format(", new categories %.2f%% of rows", 100 * res.newCategoryRate());
                    if (r.newCategoryFail() != null && res.newCategoryRate() > r.newCategoryFail()) {
                        status = Outcome.FAIL;
                        message += " (fail above " + 100 * r.newCategoryFail() + "%)";
                    } else if (r.newCategoryWarn() != null && res.newCategoryRate() > r.newCategoryWarn() && status == Outcome.PASS) {
                        status = Outcome.WARN;
                        message += " (warn above " + 100 * r.newCategoryWarn() + "%)";
                    }
                }
                report.worsen(status);
                if (status == Outcome.FAIL) {
                    failing.add(date);
                    report.datasetRules.add(new ValidationReport.RuleOutcome("drift", r.column(), "fail", date.toString(),
                            String.format("%.4f", res.psi()), String.valueOf(r.psiFail()), Outcome.FAIL, message));
                }
                report.drift.add(new ValidationReport.DriftOutcome(r.column(), kind, res.psi(), res.newCategoryRate(), status, message));
            }
        } finally {
            baseline.unpersist();
        }
    }

    private static String kind(Contract contract, String column) {
        return contract.columns().get(column).type().isNumeric() ? "numeric" : "categorical";
    }
}
