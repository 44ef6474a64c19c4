package dev.treeline.registry.review;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.steps.RegistryTags;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A version's lineage and holdout metrics, wherever they are kept: the version carries what a reviewer
 * compares versions by ({@link RegistryTags#ON_VERSION}), its run the rest of the lineage and every
 * holdout metric (the evaluate step's {@code holdout_<metric>}).
 */
public record VersionLineage(Map<String, String> lineage, Map<String, Double> holdout) {
    static final String HOLDOUT = "holdout_";

    public static VersionLineage of(MlflowConnection mlflow, ModelRef v) {
        Map<String, String> lineage = new LinkedHashMap<>();
        Map<String, Double> holdout = new LinkedHashMap<>();
        if (v.runId() != null && !v.runId().isEmpty()) {
            JsonNode data = mlflow.rest().get("runs/get", Map.of("run_id", v.runId())).path("run").path("data");
            data.path("tags").forEach(t -> {
                if (RegistryTags.LINEAGE.contains(t.path("key").asText())) lineage.put(t.path("key").asText(), t.path("value").asText());
            });
            data.path("metrics").forEach(m -> {
                String k = m.path("key").asText();
                if (k.startsWith(HOLDOUT)) holdout.put(k.substring(HOLDOUT.length()), m.path("value").asDouble());
            });
        }
        // The version's own tags win: they were set for this version, the run's for every step of the run.
        v.tags().forEach((k, val) -> {
            if (RegistryTags.LINEAGE.contains(k)) lineage.put(k, val);
        });
        return new VersionLineage(lineage, holdout);
    }
}
