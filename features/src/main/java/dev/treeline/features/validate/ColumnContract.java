package dev.treeline.features.validate;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.ColumnType;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The contract of one column: its type, and the rules each value and the column as a whole must meet. */
public record ColumnContract(
        @JsonProperty("name") String name,
        @JsonProperty("type") ColumnType type,
        @JsonProperty("nullable") boolean nullable,
        @JsonProperty("min") Double min,
        @JsonProperty("max") Double max,
        @JsonProperty("allowed") List<String> allowed,
        @JsonProperty("pattern") String pattern,
        @JsonProperty("finite") boolean finite,
        @JsonProperty("max_null_ratio") Double maxNullRatio,
        @JsonProperty("severity") Severity severity,
        @JsonProperty("pii") boolean pii) {

    static final List<String> KEYS = List.of("type", "nullable", "min", "max", "allowed", "pattern", "finite", "max_null_ratio", "severity", "pii");

    static ColumnContract from(String name, SpecNode n) {
        n.allowOnly(KEYS);
        ColumnType type = ColumnType.of(n.require("type"));
        Double min = n.has("min") ? n.require("min").asDouble(-Double.MAX_VALUE, Double.MAX_VALUE) : null;
        Double max = n.has("max") ? n.require("max").asDouble(-Double.MAX_VALUE, Double.MAX_VALUE) : null;
        if ((min != null || max != null) && !(type.isNumeric() || type == ColumnType.TIMESTAMP || type == ColumnType.DATE)) {
            throw n.error("min/max need a numeric column; '" + name + "' is " + type.spelling());
        }
        if ((min != null || max != null) && !type.isNumeric()) {
            throw n.error("min/max on " + type.spelling() + " columns are not supported; use freshness for time columns");
        }
        if (min != null && max != null && min > max) throw n.error("min " + min + " is above max " + max);
        String pattern = n.string("pattern", null);
        if (pattern != null) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw n.require("pattern").error("not a valid regular expression: " + e.getDescription());
            }
        }
        boolean finite = n.bool("finite", type == ColumnType.DOUBLE || type == ColumnType.FLOAT);
        return new ColumnContract(name, type, n.bool("nullable", true), min, max, n.has("allowed") ? n.stringList("allowed") : null, pattern,
                finite, n.has("max_null_ratio") ? n.require("max_null_ratio").asDouble(0, 1) : null, Severity.of(n, "severity", Severity.FAIL),
                n.bool("pii", false));
    }

    /**
     * Whether the report may show this column's smallest and largest value. Never for text (names, emails
     * and ids are where personal data lives, and their lexical extremes say little) nor for columns marked pii.
     */
    boolean showsExtremes() {
        return !pii && (type.isNumeric() || type == ColumnType.TIMESTAMP || type == ColumnType.DATE);
    }
}
