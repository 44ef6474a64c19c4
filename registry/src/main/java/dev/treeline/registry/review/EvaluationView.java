package dev.treeline.registry.review;

import dev.treeline.pipelines.format.Evaluation.Delta;
import dev.treeline.pipelines.format.Evaluation;
import dev.treeline.pipelines.format.SliceMetrics;
import dev.treeline.pipelines.util.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the registry shows and gates on from the evaluate step's {@link Evaluation}: both models' metrics
 * on the same holdout rows, the paired differences with their intervals, and the slices.
 */
public record EvaluationView(String holdoutFrom, String holdoutTo, long rows, String headline, Map<String, Double> candidate,
                             String championVersion, Map<String, Double> champion, Map<String, Delta> difference,
                             Map<String, List<Map<String, Object>>> candidateSlices, Map<String, List<Map<String, Object>>> championSlices) {

    /** Metrics shown in a version's description and tags, in this order, when the evaluation has them. */
    static final List<String> SHOWN = List.of("auc", "logloss", "brier", "rmse", "mae", "r2", "mlogloss", "accuracy", "macro_f1");
    static final Map<String, String> TITLES = Map.of("auc", "AUC", "logloss", "log loss", "brier", "Brier score", "rmse", "RMSE", "mae", "MAE",
            "r2", "R²", "mlogloss", "multiclass log loss", "accuracy", "accuracy", "macro_f1", "macro F1");
    /** Metrics where a higher value is better; for the others lower is better. */
    public static final Set<String> HIGHER_IS_BETTER = Set.of("auc", "pr_auc", "r2", "accuracy", "macro_f1", "f1", "precision", "recall");

    public static String title(String metric) {
        return TITLES.getOrDefault(metric, metric);
    }

    public static boolean higherIsBetter(String metric) {
        return HIGHER_IS_BETTER.contains(metric);
    }

    public List<String> shown() {
        // Binary models measure accuracy at a threshold; the table keeps to threshold-free metrics for them.
        return SHOWN.stream().filter(candidate::containsKey).filter(m -> !(m.equals("accuracy") && candidate.containsKey("auc"))).toList();
    }

    public double candidate(String metric) {
        return candidate.getOrDefault(metric, Double.NaN);
    }

    public double champion(String metric) {
        return champion == null ? Double.NaN : champion.getOrDefault(metric, Double.NaN);
    }

    public Delta delta(String metric) {
        return difference == null ? null : difference.get(metric);
    }

    /** The view of the evaluate step's record. */
    public static EvaluationView of(Evaluation e) {
        Evaluation.ChampionMetrics champ = e.champion();
        Map<String, Double> cand = e.candidate() == null ? Map.of() : e.candidate();
        Map<String, Delta> diff = champ == null ? null : champ.difference();
        return new EvaluationView(e.holdoutFrom(), e.holdoutTo(), Math.round(orElse(cand.get("rows"), 0.0)), e.headline() == null ? "auc" : e.headline(),
                cand, champ == null ? null : champ.version(), champ == null ? null : champ.metrics(), diff, slices(e.slices()),
                champ == null ? Map.of() : slices(champ.slices()));
    }

    private static double orElse(Double d, double otherwise) {
        return d == null ? otherwise : d;
    }

    /** Slices as plain maps (metric name to value, absent metrics left out) for the description and tags. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<Map<String, Object>>> slices(Map<String, List<SliceMetrics>> slices) {
        if (slices == null) return Map.of();
        return Json.MAPPER.convertValue(slices, Map.class);
    }
}
