package dev.treeline.features.validate;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code params:} of a validate step: the expected columns and types, row rules, the reject budget. */
public record ValidateParams(
        @JsonProperty("columns") Map<String, String> columns,
        @JsonProperty("rules") List<ColumnRule> rules,
        @JsonProperty("max_reject_ratio") double maxRejectRatio) {

    public static final List<String> TYPES = List.of("string", "long", "int", "double", "float", "boolean", "timestamp", "date");

    static ValidateParams from(SpecNode node) {
        node.allowOnly("columns", "rules", "max_reject_ratio");
        Map<String, String> columns = new LinkedHashMap<>();
        if (node.has("columns")) node.require("columns").asMap().forEach((k, v) -> columns.put(k, v.asEnum(TYPES)));
        List<ColumnRule> rules = node.has("rules") ? node.require("rules").asList().stream().map(ColumnRule::from).toList() : List.of();
        if (node.has("rules") && !columns.isEmpty()) {
            List<SpecNode> ruleNodes = node.require("rules").asList();
            for (int i = 0; i < rules.size(); i++) {
                if (!columns.containsKey(rules.get(i).column())) {
                    throw ruleNodes.get(i).require("column").error("rule on '" + rules.get(i).column()
                            + "', which is not among params.columns " + columns.keySet());
                }
            }
        }
        return new ValidateParams(columns, rules, node.number("max_reject_ratio", 0.0, 0.0, 1.0));
    }
}
