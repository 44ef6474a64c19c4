package dev.treeline.features.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.util.DidYouMean;
import java.util.ArrayList;
import java.util.List;

/**
 * One step of a column's transform chain, applied in the order written: impute (mean, median,
 * most_frequent or a constant), clip to [min, max], log (natural log of 1 + x), scale (standard or
 * min-max) or bucketize (split points). Fitted values (means, medians, ranges) come from the train days.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Transform(
        @JsonProperty("op") Op op,
        @JsonProperty("strategy") String strategy,
        @JsonProperty("constant") String constant,
        @JsonProperty("min") Double min,
        @JsonProperty("max") Double max,
        @JsonProperty("splits") List<Double> splits) {

    public enum Op { impute, clip, log, scale, bucketize }

    public static final List<String> IMPUTE = List.of("mean", "median", "most_frequent", "constant");
    public static final List<String> SCALE = List.of("standard", "min_max");

    public static Transform impute(String strategy, String constant) {
        return new Transform(Op.impute, strategy, constant, null, null, null);
    }

    /** Whether fitting needs statistics of the column (as transformed by the steps before it). */
    public boolean fitted() {
        return (op == Op.impute && !strategy.equals("constant")) || op == Op.scale;
    }

    /** Whether the step only makes sense on numbers. */
    public boolean numericOnly() {
        return op != Op.impute || strategy.equals("mean") || strategy.equals("median");
    }

    static Transform from(SpecNode node) {
        if (!node.isMap()) {
            String op = node.asEnum(List.of("log", "scale", "impute"));
            return switch (op) {
                case "log" -> new Transform(Op.log, null, null, null, null, null);
                case "scale" -> new Transform(Op.scale, "standard", null, null, null, null);
                default -> impute("median", null);
            };
        }
        if (node.asMap().size() != 1) throw node.error("one transform per list entry, e.g. {impute: median} or {clip: [0, 100]}");
        String key = node.keys().iterator().next();
        SpecNode v = node.require(key);
        return switch (key) {
            case "impute" -> {
                if (v.isMap()) {
                    v.allowOnly("constant");
                    yield impute("constant", v.requiredString("constant"));
                }
                String s = v.asEnum(List.of("mean", "median", "most_frequent"));
                yield impute(s, null);
            }
            case "clip" -> {
                List<SpecNode> b = v.asList();
                if (b.size() != 2) throw v.error("clip takes [min, max]; use null for an open end, e.g. [0, null]");
                Double lo = b.get(0).isNull() ? null : b.get(0).asDouble(-Double.MAX_VALUE, Double.MAX_VALUE);
                Double hi = b.get(1).isNull() ? null : b.get(1).asDouble(-Double.MAX_VALUE, Double.MAX_VALUE);
                if (lo == null && hi == null) throw v.error("clip needs at least one bound");
                if (lo != null && hi != null && lo > hi) throw v.error("clip min " + lo + " is above max " + hi);
                yield new Transform(Op.clip, null, null, lo, hi, null);
            }
            case "log" -> {
                if (!v.asBoolean()) throw v.error("write log: true, or leave the transform out");
                yield new Transform(Op.log, null, null, null, null, null);
            }
            case "scale" -> new Transform(Op.scale, v.asEnum(SCALE), null, null, null, null);
            case "bucketize" -> {
                List<Double> splits = new ArrayList<>();
                for (SpecNode s : v.asList()) splits.add(s.asDouble(-Double.MAX_VALUE, Double.MAX_VALUE));
                if (splits.isEmpty()) throw v.error("bucketize needs at least one split point");
                for (int i = 1; i < splits.size(); i++) {
                    if (splits.get(i) <= splits.get(i - 1)) throw v.error("split points must increase, got " + splits);
                }
                yield new Transform(Op.bucketize, null, null, null, null, List.copyOf(splits));
            }
            default -> throw node.error("unknown transform '" + key + "'"
                    + DidYouMean.hint(key, List.of("impute", "clip", "log", "scale", "bucketize")));
        };
    }
}
