package dev.treeline.registry.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.format.Evaluation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gate's rules on their own: primary metric and margin, significance, guards, slice guards. */
class GateTest {
    static EvaluationView eval(double candAuc, double candLoss, String champ, double champAuc, double champLoss, double ciLow, double ciHigh) {
        return new EvaluationView("2001-06-01", "2001-06-01", 100, "auc", Map.of("auc", candAuc, "logloss", candLoss), champ,
                champ == null ? null : Map.of("auc", champAuc, "logloss", champLoss),
                champ == null ? null : Map.of("auc", new Evaluation.Delta(candAuc - champAuc, ciLow, ciHigh),
                        "logloss", new Evaluation.Delta(candLoss - champLoss, -0.01, 0.01)), Map.of(), Map.of());
    }

    static GateRules rules(String metric, double min, boolean significance) {
        return new GateRules(metric, min, significance, Map.of(), null);
    }

    @Test
    void firstModelPassesWithoutAChampion() {
        GateResult r = new Gate(rules(null, 0.01, true)).check(eval(0.6, 0.5, null, Double.NaN, Double.NaN, 0, 0));
        assertTrue(r.passed());
        assertEquals(List.of("no champion to compare against; holdout AUC 0.60000"), r.reasons());
    }

    @Test
    void worseAucFailsWithTheNumbers() {
        GateResult r = new Gate(rules("auc", 0.0, false)).check(eval(0.70, 0.40, "1", 0.71, 0.45, -0.02, 0.0));
        assertFalse(r.passed());
        assertEquals(List.of("FAILED holdout AUC 0.70000 vs champion v1 0.71000: gain -0.01000, required 0.00000"), r.reasons());
    }

    @Test
    void betterButNotSignificantFails() {
        GateResult r = new Gate(rules("auc", 0.0, true)).check(eval(0.72, 0.40, "1", 0.71, 0.45, -0.004, 0.024));
        assertFalse(r.passed());
        assertEquals("FAILED 95% CI of the difference [-0.00400, +0.02400] includes zero: the improvement is not significant", r.reasons().get(0));
        GateResult sig = new Gate(rules("auc", 0.0, true)).check(eval(0.72, 0.40, "1", 0.71, 0.45, 0.002, 0.018));
        assertTrue(sig.passed(), sig.reasons().toString());
    }

    @Test
    void lowerIsBetterMetricsNeedTheIntervalBelowZero() {
        EvaluationView e = eval(0.70, 0.40, "1", 0.70, 0.45, -0.01, 0.01);
        // logloss delta interval is [-0.01, 0.01] in eval(): not significant.
        assertFalse(new Gate(rules("logloss", 0.0, true)).check(e).passed());
        assertTrue(new Gate(rules("logloss", 0.0, false)).check(e).passed());
    }

    @Test
    void aGuardMetricMayNotRegressBeyondItsMargin() {
        EvaluationView e = eval(0.72, 0.47, "1", 0.71, 0.45, 0.001, 0.02);
        GateResult tight = new Gate(new GateRules("auc", 0.0, true, Map.of("logloss", 0.01), null)).check(e);
        assertFalse(tight.passed());
        assertEquals("FAILED guard log loss 0.47000 vs champion 0.45000: regression 0.02000, allowed 0.01000", tight.reasons().get(0));
        assertTrue(new Gate(new GateRules("auc", 0.0, true, Map.of("logloss", 0.05), null)).check(e).passed());
    }

    @Test
    void aSliceThatLosesTooMuchFailsTheGateAndSmallSlicesAreIgnored() {
        Map<String, List<Map<String, Object>>> cand = Map.of("origin", List.of(
                Map.of("value", "ORD", "rows", 500, "auc", 0.60), Map.of("value", "ATL", "rows", 800, "auc", 0.75),
                Map.of("value", "SFO", "rows", 20, "auc", 0.40)));
        Map<String, List<Map<String, Object>>> champ = Map.of("origin", List.of(
                Map.of("value", "ORD", "rows", 500, "auc", 0.70), Map.of("value", "ATL", "rows", 800, "auc", 0.74),
                Map.of("value", "SFO", "rows", 20, "auc", 0.70)));
        EvaluationView base = eval(0.72, 0.40, "1", 0.71, 0.45, 0.001, 0.02);
        EvaluationView e = new EvaluationView(base.holdoutFrom(), base.holdoutTo(), base.rows(), base.headline(), base.candidate(),
                base.championVersion(), base.champion(), base.difference(), cand, champ);
        GateResult r = new Gate(new GateRules("auc", 0.0, true, Map.of(), new GateRules.SliceGuard(null, 0.05, 100))).check(e);
        assertFalse(r.passed());
        assertEquals("FAILED slice guard: auc regresses more than 0.05000 in origin=ORD (500 rows): auc 0.60000 vs 0.70000", r.reasons().get(0));
        GateResult loose = new Gate(new GateRules("auc", 0.0, true, Map.of(), new GateRules.SliceGuard(null, 0.2, 100))).check(e);
        assertTrue(loose.passed(), loose.reasons().toString());
        assertTrue(loose.reasons().contains("slice guard: no slice of at least 100 rows loses more than 0.20000 of auc (2 checked)"), loose.reasons().toString());
    }

    @Test
    void undefinedCandidateMetricNeverPasses() {
        GateResult r = new Gate(rules("auc", 0.0, false)).check(eval(Double.NaN, 0.3, "1", 0.7, 0.45, Double.NaN, Double.NaN));
        assertFalse(r.passed());
        assertEquals("FAILED holdout AUC is undefined for the candidate", r.reasons().get(0));
        GateResult rmse = new Gate(rules("rmse", 0.0, false)).check(eval(0.7, 0.3, "1", 0.7, 0.45, 0, 0));
        assertTrue(rmse.reasons().get(0).startsWith("FAILED holdout RMSE is undefined for the candidate (the evaluation has no rmse; measured: "),
                rmse.reasons().get(0));
    }
}
