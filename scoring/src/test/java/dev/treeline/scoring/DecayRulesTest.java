package dev.treeline.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecayRulesTest {
    final DecayRules rules = new DecayRules(3, 0.55, Double.NaN, 0.25, 5);

    @Test
    void aucUnderTheCiLowBoundBreachesOnlyOnTheNthDayInARow() {
        Map<String, Double> low = Map.of("auc", 0.70);
        assertEquals(List.of(), rules.breaches(low, 0.72, List.of(), Map.of()), "first day under");
        assertEquals(List.of(), rules.breaches(low, 0.72, List.of(true), Map.of()), "second day under");
        assertEquals(List.of("realised AUC 0.7000 below the evaluated holdout's CI lower bound 0.7200 for 3 day(s) in a row"),
                rules.breaches(low, 0.72, List.of(true, true, false), Map.of()));
        assertEquals(List.of(), rules.breaches(low, 0.72, List.of(true, false, true), Map.of()), "a good day in between restarts the count");
        assertEquals(List.of(), rules.breaches(Map.of("auc", 0.73), 0.72, List.of(true, true), Map.of()), "above the bound");
    }

    @Test
    void theFloorAndDriftBreachOnTheirOwn() {
        assertEquals(List.of("realised AUC 0.5000 below the floor 0.5500"), rules.breaches(Map.of("auc", 0.5), Double.NaN, List.of(), Map.of()));
        assertEquals(List.of("feature 'distance' drifted: PSI 0.400 above 0.250"),
                rules.breaches(Map.of("auc", 0.8), 0.7, List.of(), Map.of("distance", 0.4, "origin", 0.1)));
        assertEquals(List.of(), DecayRules.NONE.breaches(Map.of("auc", 0.1), 0.7, List.of(true, true), Map.of("x", 9.0)), "no rules, no breach");
    }
}
