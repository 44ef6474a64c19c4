package dev.treeline.registry.review;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.util.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of the evaluate step's {@code evaluation} JSON the registry needs, read as plain JSON so
 * that this module does not depend on training: both models' metrics on the same holdout rows, the
 * paired differences with their intervals, and the slices.
 */
public record EvaluationView(String holdoutFrom, String holdoutTo, long rows, String headline, Map<String, Double> candidate,
                             String championVersion, Map<String, Double> champion, Map<String, Delta> difference,
                             Map<String, List<Map<String, Object>>> candidateSlices, Map<String, List<Map<String, Object>>> championSlices) {

    /** Candidate − champion and its 95% paired bootstrap interval. */
    public record Delta(double delta, double ciLow, double ciHigh) {}

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

    public static EvaluationView parse(JsonNode j) {
        JsonNode champ = j.path("champion");
        boolean hasChampion = champ.isObject();
        Map<String, Double> cand = numbers(j.path("candidate"));
        Map<String, Delta> diff = null;
        if (hasChampion && champ.path("difference").isObject()) {
            diff = new LinkedHashMap<>();
            for (var it = champ.path("difference").fields(); it.hasNext(); ) {
                var e = it.next();
                diff.put(e.getKey(), new Delta(num(e.getValue().path("delta")), num(e.getValue().path("ci_low")), num(e.getValue().path("ci_high"))));
            }
        }
        return new EvaluationView(j.path("holdout_from").asText(), j.path("holdout_to").asText(), Math.round(cand.getOrDefault("rows", 0.0)),
                j.path("headline").asText("auc"), cand, hasChampion ? champ.path("version").asText() : null,
                hasChampion ? numbers(champ.path("metrics")) : null, diff, slices(j.path("slices")), hasChampion ? slices(champ.path("slices")) : Map.of());
    }

    private static Map<String, Double> numbers(JsonNode n) {
        Map<String, Double> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), num(e.getValue())));
        return out;
    }

    private static double num(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<Map<String, Object>>> slices(JsonNode n) {
        if (!n.isObject()) return Map.of();
        return Json.MAPPER.convertValue(n, Map.class);
    }
}
