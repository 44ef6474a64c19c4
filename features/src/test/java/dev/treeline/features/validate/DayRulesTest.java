package dev.treeline.features.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.catalog.ColumnSummary;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecNode;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The day plan and the day rules are pure functions of partition markers: no Spark, no files. */
class DayRulesTest {
    static final LocalDate D1 = LocalDate.of(2001, 1, 1);
    static final LocalDate D2 = LocalDate.of(2001, 1, 2);
    static final LocalDate D3 = LocalDate.of(2001, 1, 3);

    static Contract contract(String yaml) {
        return Contract.parse(SpecNode.parse(yaml, "contract.yaml", Interpolator.of(Map.of())));
    }

    static PartitionMarker marker(String fingerprint, long rows, long nulls) {
        return new PartitionMarker(fingerprint, rows, "2001-01-04T00:00:00Z", "r", Map.of("delay", new ColumnSummary(nulls, "0", "9")), null);
    }

    static final Contract CONTRACT = contract("""
        columns:
          delay: {type: long, max_null_ratio: 0.1}
        rows: {min: 50, max_change: 0.5}
        """);

    @Test
    void aDayIsValidatedAgainWhenItsInputOrContractChangedAndTheLogicalDateIsAlwaysChecked() {
        TreeMap<LocalDate, PartitionMarker> in = new TreeMap<>(Map.of(D1, marker("a", 100, 0), D2, marker("b", 100, 0), D3, marker("c", 0, 0)));
        DayPlan first = DayPlan.of(CONTRACT, "2", in, new TreeMap<>(), new TreeMap<>(), D3);
        assertEquals(List.of(D1, D2, D3), first.todo());
        assertEquals(List.of(D1, D2), first.scan(), "a day without rows is not read");

        // D1 and D2 written from the same input and contract; D2's input changed since.
        TreeMap<LocalDate, PartitionMarker> done = new TreeMap<>(Map.of(D1, marker(first.fingerprints().get(D1), 100, 0),
                D2, marker(first.fingerprints().get(D2), 100, 0), D3, marker(first.fingerprints().get(D3), 0, 0)));
        in.put(D2, marker("b2", 100, 0));
        DayPlan next = DayPlan.of(CONTRACT, "2", in, done, done, D3);
        assertEquals(List.of(D2), next.todo());
        assertEquals(new TreeSet<>(List.of(D2, D3)), next.check(), "the logical date's day rules run every time");
        DayPlan otherContract = DayPlan.of(contract("columns: {delay: {type: long}}"), "2", in, done, done, D3);
        assertEquals(List.of(D1, D2, D3), otherContract.todo(), "a new contract validates every day again");
    }

    @Test
    void dayRulesFailTheDaysThatBreakAFailRuleAndOnlyWarnOnAWarnRule() {
        TreeMap<LocalDate, PartitionMarker> in = new TreeMap<>(Map.of(D1, marker("a", 100, 0), D2, marker("b", 40, 20)));
        ValidationReport report = new ValidationReport();
        TreeSet<LocalDate> failing = DayRules.datasetRules(CONTRACT, report, in, new TreeSet<>(List.of(D1, D2)), D2, List.of(D1, D2));
        assertEquals(new TreeSet<>(List.of(D2)), failing);
        assertEquals(Outcome.FAIL, report.status);
        Map<String, Outcome> d2 = new TreeMap<>();
        for (var r : report.datasetRules) if (D2.toString().equals(r.day())) d2.put(r.rule(), r.status());
        assertEquals(Map.of("rows", Outcome.FAIL, "rows.max_change", Outcome.WARN, "max_null_ratio", Outcome.FAIL), d2);
        assertTrue(report.failures().get(0).message().startsWith("rows on 2001-01-02: 40 rows, the contract wants >= 50"),
                report.failures().get(0).message());
    }

    @Test
    void rowRulesWithRejectedRowsLeaveTheReportPassingAndWarnRulesWarn() {
        assertEquals(Outcome.PASS, Outcome.REJECTED.worsen(Outcome.PASS));
        assertEquals(Outcome.WARN, Outcome.WARN.worsen(Outcome.PASS));
        assertEquals(Outcome.FAIL, Outcome.WARN.worsen(Outcome.FAIL));
        assertEquals(Outcome.FAIL, Outcome.FAIL.worsen(Outcome.WARN));
        assertEquals("rejected", Outcome.REJECTED.label());
        assertEquals(Outcome.SKIPPED, Outcome.of("skipped"));
    }
}
