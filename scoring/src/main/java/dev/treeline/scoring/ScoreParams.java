package dev.treeline.scoring;

import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.registry.steps.ServingTarget;
import java.util.List;

/**
 * The score step's params. {@code model}: the registered model (default the pipeline's); {@code version}:
 * a version or alias to score with instead of what serving loads; {@code id}: the column(s) that identify a
 * row (A/B routing and the monitor step's label join; default a hash of every column); {@code pass_through}:
 * columns copied to the output; {@code bucket}/{@code prefix}: serving's S3 location (default the push step's).
 */
record ScoreParams(String model, String version, List<String> id, List<String> passThrough, ServingTarget target) {
    static final List<String> KEYS = List.of("model", "version", "id", "pass_through", "bucket", "prefix");

    static ScoreParams parse(SpecNode p) {
        p.allowOnly(KEYS);
        String version = p.has("version") ? p.require("version").asString() : null;
        if (version != null && version.startsWith("@")) version = version.substring(1);
        ServingTarget target = p.has("bucket") ? new ServingTarget(p.requiredString("bucket"), p.string("prefix", "")) : null;
        if (target == null && p.has("prefix")) throw p.require("prefix").error("prefix needs bucket: set params.bucket too");
        return new ScoreParams(p.string("model", null), version, columns(p, "id"), columns(p, "pass_through"), target);
    }

    /** A column or a list of columns. */
    static List<String> columns(SpecNode p, String key) {
        if (!p.has(key)) return List.of();
        SpecNode n = p.require(key);
        return n.isList() ? n.asStringList() : List.of(n.asString());
    }
}
