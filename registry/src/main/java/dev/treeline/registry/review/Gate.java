package dev.treeline.registry.review;

import dev.treeline.pipelines.format.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Challenger against champion on the same holdout rows, by {@link GateRules}. Every rule is checked and
 * reported, so a reviewer sees all that failed, not only the first.
 */
public final class Gate {
    private final GateRules rules;

    public Gate(GateRules rules) {
        this.rules = rules;
    }

    public GateResult check(EvaluationView e) {
        String m = rules.metric() != null ? rules.metric() : e.headline();
        List<String> failed = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        if (e.championVersion() == null) {
            double c = e.candidate(m);
            if (Double.isNaN(c)) failed.add(EvaluationView.title(m) + " of the candidate is undefined" + missing(e, m));
            else passed.add("no champion to compare against; holdout " + EvaluationView.title(m) + " " + fmt(c));
            return new GateResult(failed.isEmpty(), m, join(failed, passed));
        }
        primary(e, m, failed, passed);
        for (Map.Entry<String, Double> g : rules.guards().entrySet()) guard(e, g.getKey(), g.getValue(), failed, passed);
        if (rules.sliceGuard() != null) slices(e, rules.sliceGuard(), m, failed, passed);
        return new GateResult(failed.isEmpty(), m, join(failed, passed));
    }

    private void primary(EvaluationView e, String m, List<String> failed, List<String> passed) {
        double cand = e.candidate(m);
        double champ = e.champion(m);
        String name = "holdout " + EvaluationView.title(m);
        if (Double.isNaN(cand) || Double.isNaN(champ)) {
            failed.add(name + " is undefined for the " + (Double.isNaN(cand) ? "candidate" : "champion") + missing(e, m));
            return;
        }
        boolean higher = EvaluationView.higherIsBetter(m);
        double gain = higher ? cand - champ : champ - cand;
        String numbers = String.format("%s %s vs champion v%s %s: %s %s, required %s", name, fmt(cand), e.championVersion(), fmt(champ),
                higher ? "gain" : "reduction", fmt(gain), fmt(rules.minImprovement()));
        (gain >= rules.minImprovement() ? passed : failed).add(numbers);
        if (!rules.significance()) return;
        Evaluation.Delta d = e.delta(m);
        if (d == null || Double.isNaN(d.ciLow())) {
            failed.add("no paired interval for " + m + " (measured for " + (e.difference() == null ? "none" : e.difference().keySet())
                    + "); choose one of those as the metric or set significance: false");
            return;
        }
        boolean significant = higher ? d.ciLow() > 0 : d.ciHigh() < 0;
        String ci = String.format("95%% CI of the difference [%s, %s]", signed(d.ciLow()), signed(d.ciHigh()));
        (significant ? passed : failed).add(ci + (significant ? " excludes zero" : " includes zero: the improvement is not significant"));
    }

    private static void guard(EvaluationView e, String m, double margin, List<String> failed, List<String> passed) {
        double cand = e.candidate(m);
        double champ = e.champion(m);
        if (Double.isNaN(cand) || Double.isNaN(champ)) {
            failed.add("guard " + m + " is not measured for both models" + missing(e, m));
            return;
        }
        double regression = EvaluationView.higherIsBetter(m) ? champ - cand : cand - champ;
        String text = String.format("guard %s %s vs champion %s: regression %s, allowed %s", EvaluationView.title(m), fmt(cand), fmt(champ),
                fmt(Math.max(0, regression)), fmt(margin));
        (regression <= margin ? passed : failed).add(text);
    }

    private static void slices(EvaluationView e, GateRules.SliceGuard g, String primary, List<String> failed, List<String> passed) {
        String m = g.metric() != null ? g.metric() : primary;
        boolean higher = EvaluationView.higherIsBetter(m);
        int checked = 0;
        List<String> worst = new ArrayList<>();
        for (var column : e.candidateSlices().entrySet()) {
            List<Map<String, Object>> champ = e.championSlices().getOrDefault(column.getKey(), List.of());
            for (Map<String, Object> s : column.getValue()) {
                if (number(s.get("rows")) < g.minRows() || !(s.get(m) instanceof Number)) continue;
                Map<String, Object> other = champ.stream().filter(c -> String.valueOf(c.get("value")).equals(String.valueOf(s.get("value"))))
                        .findFirst().orElse(null);
                if (other == null || !(other.get(m) instanceof Number)) continue;
                checked++;
                double regression = higher ? number(other.get(m)) - number(s.get(m)) : number(s.get(m)) - number(other.get(m));
                if (regression > g.maxRegression()) {
                    worst.add(String.format("%s=%s (%d rows): %s %s vs %s", column.getKey(), s.get("value"), (long) number(s.get("rows")),
                            m, fmt(number(s.get(m))), fmt(number(other.get(m)))));
                }
            }
        }
        if (!worst.isEmpty()) {
            failed.add("slice guard: " + m + " regresses more than " + fmt(g.maxRegression()) + " in " + String.join(", ", worst));
        } else {
            passed.add("slice guard: no slice of at least " + g.minRows() + " rows loses more than " + fmt(g.maxRegression()) + " of " + m
                    + " (" + checked + " checked)");
        }
    }

    private static String missing(EvaluationView e, String m) {
        return e.candidate().containsKey(m) ? "" : " (the evaluation has no " + m + "; measured: " + e.candidate().keySet() + ")";
    }

    private static List<String> join(List<String> failed, List<String> passed) {
        List<String> out = new ArrayList<>();
        failed.forEach(f -> out.add("FAILED " + f));
        out.addAll(passed);
        return out;
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.5f", v);
    }

    static String signed(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%+.5f", v);
    }
}
