package dev.treeline.pipelines.spec;

import java.util.LinkedHashMap;
import java.util.Map;

/** Where and how Spark runs. {@code --master} or TREELINE_SPARK_MASTER override {@code master}. */
public record SparkSpec(String master, Map<String, String> conf) {
    public static final SparkSpec DEFAULT = new SparkSpec("local[*]", Map.of());

    static SparkSpec from(SpecNode node) {
        if (node == null) return DEFAULT;
        node.allowOnly("master", "conf");
        Map<String, String> conf = node.has("conf") ? node.require("conf").asStringMap() : Map.of();
        conf.forEach((k, v) -> {
            if (!k.startsWith("spark.")) throw node.require("conf").error("'" + k + "' is not a Spark setting (they start with 'spark.')");
        });
        return new SparkSpec(node.string("master", "local[*]"), new LinkedHashMap<>(conf));
    }
}
