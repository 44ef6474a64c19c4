package dev.treeline.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code split:} of a pipeline: one table (the logical date's snapshot) split into train, validation and
 * holdout rows by a hash of each row, its group or its rank within its class, instead of by days. The
 * holdout is a fraction of the table or every row of a separate dataset ({@code holdout: {dataset: NAME}}).
 * With {@code cv: {folds: K}} the non-holdout rows are cut into K folds for cross-validation instead of a validation share.
 */
public record SplitSpec(
        @JsonProperty("method") String method,
        @JsonProperty("validation") double validation,
        @JsonProperty("holdout") double holdout,
        @JsonProperty("holdout_dataset") String holdoutDataset,
        @JsonProperty("seed") long seed,
        @JsonProperty("group_column") String groupColumn,
        @JsonProperty("key") List<String> key,
        @JsonProperty("folds") int folds) {

    public static final String RANDOM = "random";
    public static final String STRATIFIED = "stratified";
    public static final String GROUP = "group";
    static final List<String> METHODS = List.of(RANDOM, STRATIFIED, GROUP);

    public boolean stratified() {
        return method.equals(STRATIFIED);
    }

    static SplitSpec from(SpecNode n, SpecNode window) {
        if (n == null) return null;
        if (window != null) {
            throw window.error("a pipeline splits either by days (window:) or by rows (split:), not both; remove window: or split: (line "
                    + n.line() + ")");
        }
        n.allowOnly("method", "validation", "holdout", "seed", "group_column", "key", "cv");
        String method = n.has("method") ? n.require("method").asEnum(METHODS) : RANDOM;
        int folds = 0;
        if (n.has("cv")) {
            SpecNode cv = n.require("cv").allowOnly("folds");
            folds = cv.integer("folds", 5, 2, 20);
            if (n.has("validation")) {
                throw n.require("validation").error("with cv: each fold in turn validates; remove validation: (the folds share the non-holdout rows)");
            }
        }
        double validation = n.number("validation", folds > 0 ? 0.0 : 0.15, 0.0, 0.9);
        double holdout = 0.0;
        String holdoutDataset = null;
        SpecNode h = n.get("holdout");
        if (h == null) {
            holdout = 0.2;
        } else if (h.isMap()) {
            h.allowOnly("dataset");
            holdoutDataset = h.requiredString("dataset");
        } else {
            holdout = h.asDouble(0.01, 0.9);
        }
        if (validation + holdout >= 0.95) {
            throw n.error("validation " + validation + " + holdout " + holdout + " leave under 5% of the rows to train on; lower them");
        }
        String group = n.has("group_column") ? n.requiredString("group_column") : null;
        if (method.equals(GROUP) && group == null) {
            throw n.error("method: group needs group_column: the column whose rows stay together (e.g. customer_id)");
        }
        if (!method.equals(GROUP) && group != null) {
            throw n.require("group_column").error("group_column applies to method: group only; set method: group or remove it");
        }
        List<String> key = n.has("key") ? n.stringList("key") : List.of();
        if (method.equals(GROUP) && !key.isEmpty()) throw n.require("key").error("method: group hashes group_column; remove key:");
        return new SplitSpec(method, validation, holdout, holdoutDataset, n.integer("seed", 0, 0, Integer.MAX_VALUE), group, key, folds);
    }

    /** Where a spec line refers back to this split, e.g. in a step's error. */
    public String describe() {
        return method + " split (validation " + validation + ", holdout " + (holdoutDataset != null ? "dataset '" + holdoutDataset + "'" : holdout) + ")";
    }
}
