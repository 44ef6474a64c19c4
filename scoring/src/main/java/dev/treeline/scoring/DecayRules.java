package dev.treeline.scoring;

import dev.treeline.pipelines.spec.SpecNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * When a served version counts as decayed. {@code auc_below_ci_low_days: N}: realised AUC below the lower bound
 * of the evaluated holdout's 95 % CI on N monitored days in a row; {@code auc_floor}: realised AUC below it on
 * any day; {@code rmse_ceiling}: realised RMSE above it (regression); {@code psi_threshold} with
 * {@code psi_top_k}: PSI above it on any of the k most important features (by total gain).
 */
public record DecayRules(int aucBelowCiLowDays, double aucFloor, double rmseCeiling, double psiThreshold, int psiTopK) {
    public static final DecayRules NONE = new DecayRules(0, Double.NaN, Double.NaN, Double.NaN, 5);

    static DecayRules parse(SpecNode d) {
        d.allowOnly("auc_below_ci_low_days", "auc_floor", "rmse_ceiling", "psi_threshold", "psi_top_k");
        return new DecayRules(d.integer("auc_below_ci_low_days", 0, 1, 365), d.number("auc_floor", Double.NaN, 0, 1),
                d.number("rmse_ceiling", Double.NaN, 0, Double.MAX_VALUE), d.number("psi_threshold", Double.NaN, 0, 100), d.integer("psi_top_k", 5, 1, 10_000));
    }

    /**
     * The rules {@code today} breaches. {@code belowCiLowBefore}: whether each of the previous monitored days (newest
     * first) had its realised AUC below the CI lower bound; {@code topPsi}: PSI of the top-k features.
     */
    public List<String> breaches(Map<String, Double> today, double evaluatedCiLow, List<Boolean> belowCiLowBefore, Map<String, Double> topPsi) {
        List<String> out = new ArrayList<>();
        double auc = today.getOrDefault("auc", Double.NaN);
        if (aucBelowCiLowDays > 0 && !Double.isNaN(auc) && !Double.isNaN(evaluatedCiLow) && auc < evaluatedCiLow) {
            int run = 1;
            for (Boolean b : belowCiLowBefore) {
                if (run >= aucBelowCiLowDays || !Boolean.TRUE.equals(b)) break;
                run++;
            }
            if (run >= aucBelowCiLowDays) {
                out.add(String.format("realised AUC %.4f below the evaluated holdout's CI lower bound %.4f for %d day(s) in a row", auc, evaluatedCiLow, run));
            }
        }
        if (!Double.isNaN(aucFloor) && !Double.isNaN(auc) && auc < aucFloor) out.add(String.format("realised AUC %.4f below the floor %.4f", auc, aucFloor));
        double rmse = today.getOrDefault("rmse", Double.NaN);
        if (!Double.isNaN(rmseCeiling) && !Double.isNaN(rmse) && rmse > rmseCeiling) {
            out.add(String.format("realised RMSE %.4f above the ceiling %.4f", rmse, rmseCeiling));
        }
        if (!Double.isNaN(psiThreshold)) {
            topPsi.forEach((f, psi) -> {
                if (psi > psiThreshold) out.add(String.format("feature '%s' drifted: PSI %.3f above %.3f", f, psi, psiThreshold));
            });
        }
        return out;
    }
}
