package dev.treeline.pipelines.step;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a step reports: one human line, numbers kept in the run state (rows, metrics), and facts (short
 * texts such as a report's location or a watermark).
 */
public record StepResult(String summary, Map<String, Double> numbers, Map<String, String> facts) {
    public static StepResult of(String summary) {
        return new StepResult(summary, Map.of(), Map.of());
    }

    public static StepResult of(String summary, Map<String, ? extends Number> numbers) {
        Map<String, Double> copy = new LinkedHashMap<>();
        numbers.forEach((k, v) -> copy.put(k, v.doubleValue()));
        return new StepResult(summary, copy, Map.of());
    }

    public StepResult withFacts(Map<String, String> facts) {
        return new StepResult(summary, numbers, Map.copyOf(facts));
    }
}
