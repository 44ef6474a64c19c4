package dev.treeline.pipelines.step;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a step reports: one human line, and numbers kept in the run state (rows, metrics). */
public record StepResult(String summary, Map<String, Double> numbers) {
    public static StepResult of(String summary) {
        return new StepResult(summary, Map.of());
    }

    public static StepResult of(String summary, Map<String, ? extends Number> numbers) {
        Map<String, Double> copy = new LinkedHashMap<>();
        numbers.forEach((k, v) -> copy.put(k, v.doubleValue()));
        return new StepResult(summary, copy);
    }
}
