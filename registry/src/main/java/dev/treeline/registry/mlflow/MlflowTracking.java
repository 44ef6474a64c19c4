package dev.treeline.registry.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.tracking.ModelStore;
import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.pipelines.tracking.Tracking;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Tracking and registry reads against one MLflow server; experiments are named after pipelines. */
public final class MlflowTracking implements Tracking {
    private final MlflowConnection mlflow;

    public MlflowTracking(MlflowConnection mlflow) {
        this.mlflow = mlflow;
    }

    public MlflowConnection connection() {
        return mlflow;
    }

    @Override
    public Tracker start(String experiment, String runName, Map<String, String> tags) {
        return MlflowTracker.create(mlflow, experimentId(experiment), runName, tags);
    }

    @Override
    public Tracker resume(String runId) {
        JsonNode info = runInfo(runId);
        mlflow.rest().post("runs/update", Map.of("run_id", runId, "status", "RUNNING"));
        return new MlflowTracker(mlflow, info);
    }

    /** The experiment tag that says what an experiment is for, and the value of a model-training experiment (MLflow 3). */
    public static final String KIND_TAG = "mlflow.experimentKind";
    public static final String MODEL_TRAINING = "custom_model_development";

    /**
     * The experiment's id, creating it when missing (over REST: the Java client retries a 404 as if rate-limited).
     * Treeline's experiments are model-training experiments ({@link #KIND_TAG}): MLflow 3 opens an experiment
     * without a kind on its GenAI overview, with the runs table a toggle away. One created before is marked too.
     */
    public String experimentId(String experiment) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                JsonNode found = mlflow.rest().get("experiments/get-by-name", Map.of("experiment_name", experiment)).path("experiment");
                String id = found.path("experiment_id").asText();
                boolean kinded = false;
                for (JsonNode t : found.path("tags")) kinded |= t.path("key").asText().equals(KIND_TAG);
                if (!kinded) mlflow.rest().post("experiments/set-experiment-tag", Map.of("experiment_id", id, "key", KIND_TAG, "value", MODEL_TRAINING));
                return id;
            } catch (MlflowException e) {
                if (!e.is("RESOURCE_DOES_NOT_EXIST")) throw e;
            }
            try {
                return mlflow.rest().create("experiments/create", Map.of("name", experiment,
                        "tags", List.of(Map.of("key", KIND_TAG, "value", MODEL_TRAINING))), () -> byName(experiment)).path("experiment_id").asText();
            } catch (MlflowException e) {
                if (!e.is("RESOURCE_ALREADY_EXISTS")) throw e; // another process created it first: look it up again
            }
        }
        throw new MlflowException(0, null, "cannot find or create experiment '" + experiment + "' on " + mlflow.url(), null);
    }

    private Optional<JsonNode> byName(String experiment) {
        try {
            return Optional.of(mlflow.rest().get("experiments/get-by-name", Map.of("experiment_name", experiment)).path("experiment"));
        } catch (MlflowException e) {
            if (e.is("RESOURCE_DOES_NOT_EXIST")) return Optional.empty();
            throw e;
        }
    }

    @Override
    public ModelStore models() {
        return new ModelStore() {
            @Override
            public Optional<ModelRef> byAlias(String model, String alias) {
                return mlflow.registry().byAlias(model, alias);
            }

            @Override
            public Path download(ModelRef ref, Path target) {
                return MlflowTracking.this.download(ref, target);
            }
        };
    }

    /** Downloads a version's model directory (its {@code source}) into {@code target}. */
    public Path download(ModelRef ref, Path target) {
        String source = ref.source();
        if (source != null && source.startsWith("runs:/")) {
            String rest = source.substring("runs:/".length());
            String runId = rest.substring(0, rest.indexOf('/'));
            String path = rest.substring(rest.indexOf('/') + 1);
            String artifactUri = runInfo(runId).path("artifact_uri").asText();
            return mlflow.artifacts().downloadDirectory(artifactUri, path, target);
        }
        mlflow.artifacts().download(MlflowArtifacts.proxiedPath(source), target);
        return target;
    }

    private JsonNode runInfo(String runId) {
        return mlflow.rest().get("runs/get", Map.of("run_id", runId)).path("run").path("info");
    }

    @Override
    public String describe() {
        return "MLflow at " + mlflow.url();
    }
}
