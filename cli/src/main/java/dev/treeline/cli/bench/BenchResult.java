package dev.treeline.cli.bench;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured line of a benchmark; {@code ratio} is to the line the benchmark names as its baseline.
 * {@code facts} are what else the line is about (format, columns, rows), as extra JSON fields.
 */
public record BenchResult(String name, double seconds, double ratio, String note, Map<String, Object> facts) {
    public BenchResult(String name, double seconds, double ratio, String note) {
        this(name, seconds, ratio, note, Map.of());
    }

    @JsonValue
    Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("seconds", seconds);
        out.put("ratio", ratio);
        out.put("note", note);
        out.putAll(facts);
        return out;
    }
}
