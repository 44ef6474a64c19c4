package dev.treeline.registry.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The promotion rule on its own: never a worse model, by the spec's metric and margin. */
class PromoteDecisionTest {
    static RegisterStep.EvaluationView eval(double candAuc, double candLoss, String champ, double champAuc, double champLoss) {
        return new RegisterStep.EvaluationView("2001-06-01", "2001-06-01", 100, "auc", java.util.Map.of("auc", candAuc, "logloss", candLoss), champ,
                champ == null ? null : java.util.Map.of("auc", champAuc, "logloss", champLoss));
    }

    @Test
    void withoutAMetricTheHeadlineDecidesAndRmseIsLowerIsBetter() {
        var e = new RegisterStep.EvaluationView("2001-06-01", "2001-06-01", 100, "rmse", java.util.Map.of("rmse", 10.0, "r2", 0.3), "1",
                java.util.Map.of("rmse", 11.0, "r2", 0.2));
        Promotion p = new PromoteStep(null, 0.5).decide("m", "2", e);
        assertTrue(p.promoted());
        assertEquals("holdout RMSE 10.00000 vs champion v1 11.00000 (reduction 1.00000, required 0.50000)", p.reason());
        Promotion missing = new PromoteStep("auc", 0.0).decide("m", "2", e);
        assertFalse(missing.promoted());
        assertTrue(missing.reason().startsWith("holdout AUC of the candidate is undefined (the evaluation has no auc; set the promote step's "
                + "metric to one of ["), missing.reason());
    }

    @Test
    void firstModelBecomesChampion() {
        Promotion p = new PromoteStep("auc", 0.01).decide("m", "1", eval(0.6, 0.5, null, Double.NaN, Double.NaN));
        assertTrue(p.promoted());
        assertEquals("1", p.championVersion());
        assertEquals("no champion yet", p.reason());
    }

    @Test
    void worseAucKeepsTheChampion() {
        Promotion p = new PromoteStep("auc", 0.0).decide("m", "2", eval(0.70, 0.40, "1", 0.71, 0.45));
        assertFalse(p.promoted());
        assertEquals("1", p.championVersion());
        assertEquals("holdout AUC 0.70000 vs champion v1 0.71000 (gain -0.01000, required 0.00000)", p.reason());
    }

    @Test
    void betterButBelowTheMarginKeepsTheChampion() {
        assertFalse(new PromoteStep("auc", 0.005).decide("m", "2", eval(0.713, 0.4, "1", 0.71, 0.4)).promoted());
        assertTrue(new PromoteStep("auc", 0.005).decide("m", "2", eval(0.716, 0.4, "1", 0.71, 0.4)).promoted());
    }

    @Test
    void logLossIsLowerIsBetter() {
        assertTrue(new PromoteStep("logloss", 0.0).decide("m", "2", eval(0.6, 0.40, "1", 0.7, 0.45)).promoted());
        assertFalse(new PromoteStep("logloss", 0.0).decide("m", "2", eval(0.8, 0.46, "1", 0.7, 0.45)).promoted());
    }

    @Test
    void undefinedCandidateAucNeverReplacesAChampion() {
        Promotion p = new PromoteStep("auc", 0.0).decide("m", "2", eval(Double.NaN, 0.3, "1", 0.7, 0.45));
        assertFalse(p.promoted());
        assertEquals("holdout AUC of the candidate is undefined (one class in the holdout)", p.reason());
    }
}
