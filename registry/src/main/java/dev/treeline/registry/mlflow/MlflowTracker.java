package dev.treeline.registry.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.pipelines.util.Json;
import dev.treeline.pipelines.util.Messages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One MLflow run, over {@link MlflowRest} (timeouts; creates never retried blindly). Batches respect
 * MLflow's log-batch limits (1000 metrics, 100 params+tags per call). A log-batch is safe to repeat:
 * params keep their value, tags are overwritten, and a metric point with the same key, value, step and
 * timestamp is stored once.
 */
public final class MlflowTracker implements Tracker {
    private static final int MAX_PARAM_VALUE = 6000;
    /** A tag with a fresh id on each created run, so a create that failed unclearly can be looked up. */
    static final String REQUEST_TAG = "treeline.create_request";

    private final MlflowConnection mlflow;
    private final String runId;
    private final String experimentId;
    private final String artifactUri;

    MlflowTracker(MlflowConnection mlflow, JsonNode info) {
        this.mlflow = mlflow;
        this.runId = info.path("run_id").asText();
        this.experimentId = info.path("experiment_id").asText();
        this.artifactUri = info.path("artifact_uri").asText();
    }

    @Override
    public String runId() {
        return runId;
    }

    public String experimentId() {
        return experimentId;
    }

    public String artifactUri() {
        return artifactUri;
    }

    @Override
    public String url() {
        return mlflow.url() + "/#/experiments/" + experimentId + "/runs/" + runId;
    }

    /** Creates a run in {@code experimentId} with {@code tags} and returns its tracker. */
    static MlflowTracker create(MlflowConnection mlflow, String experimentId, String runName, Map<String, String> tags) {
        String request = UUID.randomUUID().toString();
        List<Map<String, String>> tagList = new ArrayList<>();
        tags.forEach((k, v) -> tagList.add(Map.of("key", k, "value", v)));
        tagList.add(Map.of("key", REQUEST_TAG, "value", request));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("experiment_id", experimentId);
        body.put("run_name", runName);
        body.put("start_time", System.currentTimeMillis());
        body.put("user_id", System.getProperty("user.name", ""));
        body.put("tags", tagList);
        JsonNode run = mlflow.rest().create("runs/create", body, () -> {
            JsonNode found = mlflow.rest().post("runs/search", Map.of("experiment_ids", List.of(experimentId),
                    "filter", "tags.`" + REQUEST_TAG + "` = '" + request + "'", "max_results", 1)).path("runs");
            return found.isEmpty() ? Optional.empty() : Optional.of(Json.object().set("run", found.get(0)));
        }).path("run");
        return new MlflowTracker(mlflow, run.path("info"));
    }

    @Override
    public Tracker child(String name, Map<String, String> tags) {
        Map<String, String> all = new LinkedHashMap<>(tags);
        all.put("mlflow.parentRunId", runId);
        return create(mlflow, experimentId, name, all);
    }

    @Override
    public void logParams(Map<String, String> params) {
        List<Map<String, Object>> batch = new ArrayList<>();
        params.forEach((k, v) -> batch.add(Map.of("key", k, "value", Messages.truncate(v, MAX_PARAM_VALUE))));
        for (int i = 0; i < batch.size(); i += 100) logBatch(List.of(), batch.subList(i, Math.min(batch.size(), i + 100)), List.of());
    }

    @Override
    public void logMetrics(Map<String, Double> metrics) {
        long now = System.currentTimeMillis();
        List<Map<String, Object>> batch = new ArrayList<>();
        metrics.forEach((k, v) -> {
            if (v != null && !v.isNaN() && !v.isInfinite()) batch.add(metric(k, v, now, 0));
        });
        sendMetrics(batch);
    }

    @Override
    public void logMetricHistory(String key, double[] values) {
        long now = System.currentTimeMillis();
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < values.length; i++) batch.add(metric(key, values[i], now, i));
        sendMetrics(batch);
    }

    private static Map<String, Object> metric(String key, double value, long timestamp, int step) {
        return Map.of("key", key, "value", value, "timestamp", timestamp, "step", step);
    }

    private void sendMetrics(List<Map<String, Object>> batch) {
        for (int i = 0; i < batch.size(); i += 1000) logBatch(batch.subList(i, Math.min(batch.size(), i + 1000)), List.of(), List.of());
    }

    @Override
    public void setTags(Map<String, String> tags) {
        List<Map<String, Object>> batch = new ArrayList<>();
        tags.forEach((k, v) -> batch.add(Map.of("key", k, "value", v)));
        for (int i = 0; i < batch.size(); i += 100) logBatch(List.of(), List.of(), batch.subList(i, Math.min(batch.size(), i + 100)));
    }

    private void logBatch(List<Map<String, Object>> metrics, List<Map<String, Object>> params, List<Map<String, Object>> tags) {
        mlflow.rest().post("runs/log-batch", Map.of("run_id", runId, "metrics", metrics, "params", params, "tags", tags));
    }

    @Override
    public void logArtifacts(Path fileOrDirectory, String artifactPath) {
        mlflow.artifacts().upload(artifactUri, fileOrDirectory, artifactPath);
    }

    @Override
    public void end(boolean succeeded) {
        mlflow.rest().post("runs/update", Map.of("run_id", runId, "status", succeeded ? "FINISHED" : "FAILED", "end_time", System.currentTimeMillis()));
    }
}
