package dev.treeline.pipelines.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where and how Spark runs. {@code --master} or TREELINE_SPARK_MASTER override {@code master}; a master
 * that is not {@code local[...]} makes {@code treeline run} submit the run with spark-submit, in
 * {@code deploy_mode}, with the executor and driver resources below (unset: Spark's or the cluster's
 * defaults, and one executor per XGBoost worker).
 */
public record SparkSpec(String master, String deployMode, Resources executor, Resources driver, Map<String, String> conf) {
    public static final SparkSpec DEFAULT = new SparkSpec("local[*]", Map.of());

    /** Instances, cores and memory of the executors or the driver; null or 0 means unset. */
    public record Resources(Integer instances, Integer cores, String memory) {
        static final Resources NONE = new Resources(null, null, null);

        static Resources from(SpecNode n, boolean executor) {
            if (n == null) return NONE;
            if (executor) n.allowOnly("instances", "cores", "memory");
            else n.allowOnly("cores", "memory");
            Integer instances = executor && n.has("instances") ? n.integer("instances", 1, 1, 100_000) : null;
            Integer cores = n.has("cores") ? n.integer("cores", 1, 1, 1_024) : null;
            String memory = n.has("memory") ? n.requiredString("memory") : null;
            if (memory != null && !memory.matches("[0-9]+[kmgtKMGT]?")) {
                throw n.require("memory").error("'" + memory + "' is not a JVM memory size (e.g. 4g or 512m)");
            }
            return new Resources(instances, cores, memory);
        }
    }

    public SparkSpec(String master, Map<String, String> conf) {
        this(master, "client", Resources.NONE, Resources.NONE, conf);
    }

    public boolean local() {
        return master.startsWith("local");
    }

    static SparkSpec from(SpecNode node) {
        if (node == null) return DEFAULT;
        node.allowOnly("master", "deploy_mode", "executor", "driver", "conf");
        Map<String, String> conf = node.has("conf") ? node.require("conf").asStringMap() : Map.of();
        conf.forEach((k, v) -> {
            if (!k.startsWith("spark.")) throw node.require("conf").error("'" + k + "' is not a Spark setting (they start with 'spark.')");
        });
        String mode = node.has("deploy_mode") ? node.require("deploy_mode").asEnum(List.of("client", "cluster")) : "client";
        return new SparkSpec(node.string("master", "local[*]"), mode,
                Resources.from(node.has("executor") ? node.require("executor") : null, true),
                Resources.from(node.has("driver") ? node.require("driver") : null, false),
                new LinkedHashMap<>(conf));
    }
}
