package dev.treeline.scoring;

import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.registry.steps.ServingTarget;
import java.util.List;

/**
 * The monitor step's params: which scored day to judge ({@code label_delay_days} before the logical date),
 * the rolling window, the decay rules and what a breach does ({@code on_decay}). {@code id} must be the score
 * step's. Rules left unset are not checked.
 */
record MonitorParams(String model, List<String> id, String label, int labelDelayDays, int windowDays, DecayRules rules, String onDecay,
                     ServingTarget target, long seed) {
    static final String RETRAIN = "retrain";
    static final String ALERT = "alert";
    static final String NONE = "none";

    static MonitorParams parse(SpecNode p) {
        p.allowOnly("model", "id", "label", "label_delay_days", "window_days", "decay", "on_decay", "bucket", "prefix", "seed");
        ServingTarget target = p.has("bucket") ? new ServingTarget(p.requiredString("bucket"), p.string("prefix", "")) : null;
        DecayRules rules = p.has("decay") ? DecayRules.parse(p.require("decay")) : DecayRules.NONE;
        return new MonitorParams(p.string("model", null), ScoreParams.columns(p, "id"), p.string("label", null),
                p.integer("label_delay_days", 0, 0, 3650), p.integer("window_days", 7, 1, 365), rules,
                p.has("on_decay") ? p.require("on_decay").asEnum(List.of(RETRAIN, ALERT, NONE)) : ALERT, target, p.integer("seed", 0, 0, Integer.MAX_VALUE));
    }
}
