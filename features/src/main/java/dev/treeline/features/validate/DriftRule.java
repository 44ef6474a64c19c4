package dev.treeline.features.validate;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;

/**
 * Drift thresholds of one column against the baseline window: population stability index, and (for
 * categorical columns) the share of rows whose category the baseline never had. Null means "not checked".
 */
public record DriftRule(
        @JsonProperty("column") String column,
        @JsonProperty("psi_warn") Double psiWarn,
        @JsonProperty("psi_fail") Double psiFail,
        @JsonProperty("new_category_warn") Double newCategoryWarn,
        @JsonProperty("new_category_fail") Double newCategoryFail) {

    static DriftRule from(String column, SpecNode n) {
        n.allowOnly("psi", "new_categories");
        Double[] psi = levels(n.get("psi"));
        Double[] nc = levels(n.get("new_categories"));
        return new DriftRule(column, psi[0], psi[1], nc[0], nc[1]);
    }

    private static Double[] levels(SpecNode n) {
        if (n == null) return new Double[] {null, null};
        n.allowOnly("warn", "fail");
        Double warn = n.has("warn") ? n.require("warn").asDouble(0, 100) : null;
        Double fail = n.has("fail") ? n.require("fail").asDouble(0, 100) : null;
        if (warn != null && fail != null && warn > fail) throw n.error("warn " + warn + " is above fail " + fail);
        return new Double[] {warn, fail};
    }
}
