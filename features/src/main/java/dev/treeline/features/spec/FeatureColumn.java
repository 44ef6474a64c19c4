package dev.treeline.features.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One model feature taken from a column (input, derived, aggregate or joined): its transform chain and
 * how it is encoded into the vector. Numbers go in as they are (a null is XGBoost's "missing");
 * categories are indexed by frequency, one-hot encoded, given to XGBoost as native categories, or
 * replaced by their smoothed label mean (target encoding, out of fold and in time order on the train days).
 */
public record FeatureColumn(
        @JsonProperty("name") String name,
        @JsonProperty("encode") Encoding encode,
        @JsonProperty("transforms") List<Transform> transforms,
        @JsonProperty("smoothing") double smoothing,
        @JsonProperty("line") int line) {

    public enum Encoding {
        numeric, index, one_hot, native_category, target;

        public String spelling() {
            return this == native_category ? "native" : name();
        }

        static Encoding of(SpecNode n) {
            List<String> all = Arrays.stream(values()).map(Encoding::spelling).toList();
            String s = n.asEnum(all);
            return s.equals("native") ? native_category : valueOf(s);
        }

        public boolean categorical() {
            return this != numeric;
        }
    }

    static FeatureColumn from(String name, SpecNode node) {
        if (node.isNull()) return new FeatureColumn(name, Encoding.numeric, List.of(), 0, node.line());
        if (!node.isMap()) return new FeatureColumn(name, Encoding.of(node), List.of(), 20, node.line());
        node.allowOnly("encode", "transforms", "smoothing");
        Encoding enc = node.has("encode") ? Encoding.of(node.require("encode")) : Encoding.numeric;
        List<Transform> ts = new ArrayList<>();
        if (node.has("transforms")) {
            for (SpecNode t : node.require("transforms").asList()) {
                Transform tr = Transform.from(t);
                if (enc.categorical() && tr.numericOnly()) {
                    throw t.error("a categorical feature (encode: " + enc.spelling() + ") takes only impute: most_frequent "
                            + "or impute: {constant: ...}; numeric transforms need encode: numeric");
                }
                ts.add(tr);
            }
        }
        if (node.has("smoothing") && enc != Encoding.target) throw node.require("smoothing").error("smoothing applies to encode: target only");
        double smoothing = node.number("smoothing", 20, 0, 1e9);
        return new FeatureColumn(name, enc, List.copyOf(ts), smoothing, node.line());
    }
}
