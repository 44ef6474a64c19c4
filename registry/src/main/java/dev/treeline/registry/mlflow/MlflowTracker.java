package dev.treeline.registry.mlflow;

import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.pipelines.util.Messages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mlflow.api.proto.Service;

/** One MLflow run. Batches respect MLflow's log-batch limits (1000 metrics, 100 params+tags per call). */
public final class MlflowTracker implements Tracker {
    private static final int MAX_PARAM_VALUE = 6000;

    private final MlflowConnection mlflow;
    private final String runId;
    private final String experimentId;
    private final String artifactUri;

    MlflowTracker(MlflowConnection mlflow, Service.RunInfo info) {
        this.mlflow = mlflow;
        this.runId = info.getRunId();
        this.experimentId = info.getExperimentId();
        this.artifactUri = info.getArtifactUri();
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
        Service.CreateRun.Builder req = Service.CreateRun.newBuilder()
                .setExperimentId(experimentId).setRunName(runName).setStartTime(System.currentTimeMillis())
                .setUserId(System.getProperty("user.name", ""));
        tags.forEach((k, v) -> req.addTags(Service.RunTag.newBuilder().setKey(k).setValue(v)));
        Service.RunInfo info = mlflow.call("create run", () -> mlflow.client().createRun(req.build()));
        return new MlflowTracker(mlflow, info);
    }

    @Override
    public Tracker child(String name, Map<String, String> tags) {
        Map<String, String> all = new LinkedHashMap<>(tags);
        all.put("mlflow.parentRunId", runId);
        return create(mlflow, experimentId, name, all);
    }

    @Override
    public void logParams(Map<String, String> params) {
        List<Service.Param> batch = new ArrayList<>();
        params.forEach((k, v) -> batch.add(Service.Param.newBuilder().setKey(k).setValue(Messages.truncate(v, MAX_PARAM_VALUE)).build()));
        for (int i = 0; i < batch.size(); i += 100) {
            List<Service.Param> chunk = batch.subList(i, Math.min(batch.size(), i + 100));
            mlflow.call("log-batch (params)", () -> {
                mlflow.client().logBatch(runId, List.of(), chunk, List.of());
                return null;
            });
        }
    }

    @Override
    public void logMetrics(Map<String, Double> metrics) {
        long now = System.currentTimeMillis();
        List<Service.Metric> batch = new ArrayList<>();
        metrics.forEach((k, v) -> {
            if (v != null && !v.isNaN() && !v.isInfinite()) batch.add(Service.Metric.newBuilder().setKey(k).setValue(v).setTimestamp(now).setStep(0).build());
        });
        sendMetrics(batch);
    }

    @Override
    public void logMetricHistory(String key, double[] values) {
        long now = System.currentTimeMillis();
        List<Service.Metric> batch = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            batch.add(Service.Metric.newBuilder().setKey(key).setValue(values[i]).setTimestamp(now).setStep(i).build());
        }
        sendMetrics(batch);
    }

    private void sendMetrics(List<Service.Metric> batch) {
        for (int i = 0; i < batch.size(); i += 1000) {
            List<Service.Metric> chunk = batch.subList(i, Math.min(batch.size(), i + 1000));
            mlflow.call("log-batch (metrics)", () -> {
                mlflow.client().logBatch(runId, chunk, List.of(), List.of());
                return null;
            });
        }
    }

    @Override
    public void setTags(Map<String, String> tags) {
        List<Service.RunTag> batch = new ArrayList<>();
        tags.forEach((k, v) -> batch.add(Service.RunTag.newBuilder().setKey(k).setValue(v).build()));
        for (int i = 0; i < batch.size(); i += 100) {
            List<Service.RunTag> chunk = batch.subList(i, Math.min(batch.size(), i + 100));
            mlflow.call("log-batch (tags)", () -> {
                mlflow.client().logBatch(runId, List.of(), List.of(), chunk);
                return null;
            });
        }
    }

    @Override
    public void logArtifacts(Path fileOrDirectory, String artifactPath) {
        mlflow.artifacts().upload(artifactUri, fileOrDirectory, artifactPath);
    }

    @Override
    public void end(boolean succeeded) {
        mlflow.call("set-terminated", () -> {
            mlflow.client().setTerminated(runId, succeeded ? Service.RunStatus.FINISHED : Service.RunStatus.FAILED);
            return null;
        });
    }
}
