package dev.treeline.features.validate;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A data contract for one dataset: column types and value rules (checked per row: a breaking row is
 * rejected, or counted when the rule only warns), uniqueness keys, and rules on each day as a whole
 * (row count, change against the previous day, freshness, null ratios) and on drift against a baseline
 * window. Written in YAML, in its own file or inline in the validate step's params.
 */
public record Contract(
        @JsonProperty("columns") Map<String, ColumnContract> columns,
        @JsonProperty("unique") List<List<String>> unique,
        @JsonProperty("rows") RowRules rows,
        @JsonProperty("freshness") Freshness freshness,
        @JsonProperty("drift_baseline_days") int driftBaselineDays,
        @JsonProperty("drift") Map<String, DriftRule> drift,
        @JsonProperty("max_reject_ratio") double maxRejectRatio) {

    public record RowRules(@JsonProperty("min") Long min, @JsonProperty("max") Long max, @JsonProperty("max_change") Double maxChange,
                           @JsonProperty("severity") Severity severity, @JsonProperty("change_severity") Severity changeSeverity) {}

    public record Freshness(@JsonProperty("column") String column, @JsonProperty("max_age_hours") double maxAgeHours,
                            @JsonProperty("severity") Severity severity) {}

    /** From {@code contract:} in the step params: a file path (relative to the spec) or an inline mapping. */
    public static Contract from(SpecNode node, Path specFile) {
        if (!node.isMap()) {
            Path file = Path.of(node.asString());
            if (!file.isAbsolute() && specFile != null && specFile.toAbsolutePath().getParent() != null) {
                file = specFile.toAbsolutePath().getParent().resolve(file);
            }
            if (!Files.isRegularFile(file)) throw node.error("contract file " + file + " not found");
            return parse(SpecNode.parse(file, Interpolator.of(Map.of())));
        }
        return parse(node);
    }

    static Contract parse(SpecNode n) {
        n.allowOnly("columns", "unique", "rows", "freshness", "drift", "max_reject_ratio", "description");
        Map<String, ColumnContract> columns = new LinkedHashMap<>();
        n.require("columns").asMap().forEach((name, c) -> columns.put(name, ColumnContract.from(name, c)));
        List<List<String>> unique = new ArrayList<>();
        if (n.has("unique")) {
            for (SpecNode key : n.require("unique").asList()) {
                List<String> cols = key.asStringList();
                for (String c : cols) if (!columns.containsKey(c)) throw key.error("unique key column '" + c + "' is not among columns " + columns.keySet());
                unique.add(cols);
            }
        }
        RowRules rows = null;
        if (n.has("rows")) {
            SpecNode r = n.require("rows").allowOnly("min", "max", "max_change", "severity", "change_severity");
            Long min = r.has("min") ? (long) r.require("min").asInt(0, Integer.MAX_VALUE) : null;
            Long max = r.has("max") ? (long) r.require("max").asInt(0, Integer.MAX_VALUE) : null;
            if (min != null && max != null && min > max) throw r.error("min " + min + " is above max " + max);
            rows = new RowRules(min, max, r.has("max_change") ? r.require("max_change").asDouble(0, 1000) : null,
                    Severity.of(r, "severity", Severity.FAIL), Severity.of(r, "change_severity", Severity.WARN));
        }
        Freshness freshness = null;
        if (n.has("freshness")) {
            SpecNode f = n.require("freshness").allowOnly("column", "max_age_hours", "severity");
            String col = f.requiredString("column");
            if (!columns.containsKey(col)) throw f.require("column").error("'" + col + "' is not among columns " + columns.keySet());
            freshness = new Freshness(col, f.number("max_age_hours", 24, 0, 24 * 3650), Severity.of(f, "severity", Severity.FAIL));
        }
        Map<String, DriftRule> drift = new LinkedHashMap<>();
        int baselineDays = 28;
        if (n.has("drift")) {
            SpecNode d = n.require("drift").allowOnly("baseline_days", "columns");
            baselineDays = d.integer("baseline_days", 28, 1, 3650);
            if (d.has("columns")) {
                d.require("columns").asMap().forEach((col, rule) -> {
                    if (!columns.containsKey(col)) throw rule.error("drift on '" + col + "', which is not among columns " + columns.keySet());
                    drift.put(col, DriftRule.from(col, rule));
                });
            }
        }
        return new Contract(columns, unique, rows, freshness, baselineDays, drift, n.number("max_reject_ratio", 0.01, 0, 1));
    }
}
