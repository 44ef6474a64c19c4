package dev.treeline.features.validate;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/** A row rule on one column: not null, a numeric range, or a regular expression. */
public record ColumnRule(
        @JsonProperty("column") String column,
        @JsonProperty("not_null") boolean notNull,
        @JsonProperty("min") Double min,
        @JsonProperty("max") Double max,
        @JsonProperty("pattern") String pattern) {

    static ColumnRule from(SpecNode node) {
        node.allowOnly("column", "not_null", "min", "max", "pattern");
        Double min = node.has("min") ? node.require("min").asDouble(-Double.MAX_VALUE, Double.MAX_VALUE) : null;
        Double max = node.has("max") ? node.require("max").asDouble(-Double.MAX_VALUE, Double.MAX_VALUE) : null;
        if (min != null && max != null && min > max) throw node.error("min " + min + " is above max " + max);
        String pattern = node.string("pattern", null);
        if (pattern != null) {
            try {
                java.util.regex.Pattern.compile(pattern);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw node.require("pattern").error("not a valid regular expression: " + e.getDescription());
            }
        }
        ColumnRule rule = new ColumnRule(node.requiredString("column"), node.bool("not_null", false), min, max, pattern);
        if (!rule.notNull && min == null && max == null && pattern == null) {
            throw node.error("rule on '" + rule.column + "' checks nothing: give not_null, min, max or pattern");
        }
        return rule;
    }

    /** Reasons this rule rejects a row for, as nullable string columns (null = passes). */
    List<Column> reasons() {
        Column c = functions.col(column);
        List<Column> out = new ArrayList<>();
        if (notNull) out.add(functions.when(c.isNull(), functions.lit(column + " is null")));
        if (min != null) {
            out.add(functions.when(c.lt(functions.lit(min)),
                    functions.concat(functions.lit(column + " = "), c.cast("string"), functions.lit(" is below " + fmt(min)))));
        }
        if (max != null) {
            out.add(functions.when(c.gt(functions.lit(max)),
                    functions.concat(functions.lit(column + " = "), c.cast("string"), functions.lit(" is above " + fmt(max)))));
        }
        if (pattern != null) {
            out.add(functions.when(functions.not(c.cast("string").rlike(pattern)),
                    functions.concat(functions.lit(column + " = '"), c.cast("string"), functions.lit("' does not match " + pattern))));
        }
        return out;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
