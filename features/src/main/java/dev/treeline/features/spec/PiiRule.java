package dev.treeline.features.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.List;

/**
 * What happens to one personal-data column before anything derived from it is persisted: dropped,
 * replaced by a keyed hash (HMAC-SHA256 with a secret salt), or masked (all but the first and last
 * few characters replaced).
 */
public record PiiRule(
        @JsonProperty("column") String column,
        @JsonProperty("action") Action action,
        @JsonProperty("salt") SecretRef salt,
        @JsonProperty("keep_first") int keepFirst,
        @JsonProperty("keep_last") int keepLast) {

    public enum Action { drop, hash, mask }

    static PiiRule from(String column, SpecNode node) {
        if (!node.isMap()) {
            String a = node.asEnum(List.of("drop", "mask"));
            return new PiiRule(column, Action.valueOf(a), null, 0, a.equals("mask") ? 4 : 0);
        }
        node.allowOnly("action", "salt", "keep_first", "keep_last");
        Action action = Action.valueOf(node.require("action").asEnum(List.of("drop", "hash", "mask")));
        SecretRef salt = null;
        if (action == Action.hash) {
            if (!node.has("salt")) throw node.error("hash needs salt: {env: VARIABLE} or salt: {file: PATH} naming the secret");
            salt = SecretRef.from(node.require("salt"));
        } else if (node.has("salt")) {
            throw node.require("salt").error("only action: hash uses a salt");
        }
        if (action != Action.mask && (node.has("keep_first") || node.has("keep_last"))) {
            throw node.error("keep_first and keep_last apply to action: mask only");
        }
        int first = node.integer("keep_first", 0, 0, 64);
        int last = node.integer("keep_last", action == Action.mask && !node.has("keep_first") ? 4 : 0, 0, 64);
        return new PiiRule(column, action, salt, first, last);
    }
}
