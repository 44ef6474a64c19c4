package dev.treeline.registry.steps;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.Versions;
import dev.treeline.pipelines.format.Evaluation;
import dev.treeline.pipelines.run.GitInfo;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowRegistry;
import dev.treeline.registry.mlflow.ReviewView;
import dev.treeline.registry.review.EvaluationView;
import dev.treeline.registry.serving.ServingFiles;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Logs the model bundle and the evaluation to the run, registers the bundle as a new model version
 * with lineage tags and points alias {@code challenger} at it. A rerun finds the version registered
 * from this run instead of creating a second one.
 */
final class RegisterStep implements Step {
    static final String MODEL_ARTIFACT = "model";

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        Path bundle = ctx.catalog().directory(ctx.input(0));
        EvaluationView evaluation = readEvaluation(ctx, ctx.input(1));
        String model = ctx.pipeline().modelName();
        String runId = ctx.tracker().runId();
        try (MlflowConnection mlflow = MlflowConnection.fromEnvironment(ctx.environment().requireMlflow())) {
            MlflowRegistry registry = mlflow.registry();
            Optional<ModelRef> existing = registry.versionOfRun(model, runId);
            ModelRef version;
            if (existing.isPresent()) {
                version = existing.get();
                ctx.progress().detail("version " + version.version() + " was registered from this run already");
            } else {
                ctx.tracker().logArtifacts(bundle, MODEL_ARTIFACT);
                Path serving = ctx.scratchDir().resolve("serving");
                AtomicFiles.deleteRecursively(serving);
                ServingFiles.write(bundle, serving, model, runId, Versions.mlflowServer());
                ctx.tracker().logArtifacts(serving, MODEL_ARTIFACT);
                ctx.tracker().logArtifacts(Path.of(URI.create(ctx.catalog().location(ctx.input(1)))), "");
                registry.ensureModel(model, ctx.pipeline().description());
                JsonNode run = mlflow.rest().get("runs/get", Map.of("run_id", runId)).path("run");
                String artifactUri = run.path("info").path("artifact_uri").asText();
                Map<String, String> lineage = lineage(ctx);
                // The snapshots are tagged on the run by the features step.
                run.path("data").path("tags").forEach(t -> {
                    String k = t.path("key").asText();
                    if (k.equals(RegistryTags.DATA_SNAPSHOT) || k.equals(RegistryTags.FEATURE_SNAPSHOT)) lineage.put(k, t.path("value").asText());
                });
                // What a reviewer compares versions by stays on the version; the rest goes on the run (RegistryTags.ON_VERSION).
                Map<String, String> onVersion = new LinkedHashMap<>();
                Map<String, String> onRun = new LinkedHashMap<>();
                lineage.forEach((k, v) -> (RegistryTags.ON_VERSION.contains(k) ? onVersion : onRun).put(k, v));
                if (evaluation.headline() != null) {
                    onVersion.put(RegistryTags.HOLDOUT_METRIC_PREFIX + evaluation.headline(), fmt(evaluation.candidate(evaluation.headline())));
                }
                ctx.tracker().setTags(onRun);
                ctx.stop().check("registering a version of " + model);
                version = registry.createVersion(model, artifactUri + "/" + MODEL_ARTIFACT, runId, onVersion, description(evaluation));
                if (evaluation.headline() != null) {
                    ReviewView.ensure(mlflow, run.path("info").path("experiment_id").asText(), evaluation.headline());
                }
            }
            ctx.stop().check("moving the challenger alias of " + model);
            registry.setAlias(model, RegistryTags.CHALLENGER, version.version());
            ctx.catalog().writeJson(ctx.output(0), new ModelVersionRecord(model, version.version(), runId, version.source()));
            ctx.tracker().setTags(Map.of("treeline.model_version", version.version()));
            return StepResult.of(model + " version " + version.version() + " (alias " + RegistryTags.CHALLENGER + ")",
                    Map.of("model_version", Double.parseDouble(version.version())));
        }
    }

    private static Map<String, String> lineage(StepContext ctx) {
        DateWindow w = ctx.window();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(RegistryTags.PIPELINE, ctx.pipeline().name());
        tags.put(RegistryTags.PIPELINE_RUN_ID, ctx.runId());
        tags.put(RegistryTags.LOGICAL_DATE, ctx.logicalDate().toString());
        tags.put(RegistryTags.TRAIN_FROM, w.trainFrom().toString());
        tags.put(RegistryTags.TRAIN_TO, w.trainTo().toString());
        tags.put(RegistryTags.HOLDOUT_FROM, w.holdoutFrom().toString());
        tags.put(RegistryTags.HOLDOUT_TO, w.holdoutTo().toString());
        tags.put(RegistryTags.SPEC_HASH, ctx.pipeline().specHash());
        Path specDir = ctx.pipeline().file() == null ? Path.of(".") : ctx.pipeline().file().toAbsolutePath().getParent();
        tags.put(RegistryTags.GIT_COMMIT, GitInfo.commit(specDir));
        tags.put(RegistryTags.TREELINE_VERSION, Versions.treeline());
        tags.put(RegistryTags.SPARK_VERSION, ctx.spark().version());
        tags.put(RegistryTags.XGBOOST_VERSION, Versions.xgboost());
        return tags;
    }

    /** Markdown for the MLflow UI's version page: both models on the same holdout, the difference and its paired 95% interval. */
    static String description(EvaluationView e) {
        StringBuilder md = new StringBuilder("Holdout " + e.holdoutFrom() + " to " + e.holdoutTo() + " (" + e.rows() + " rows).\n\n");
        if (e.championVersion() == null) {
            md.append("| metric | candidate |\n|---|---|\n");
            for (String m : e.shown()) md.append("| ").append(EvaluationView.title(m)).append(" | ").append(fmt(e.candidate(m))).append(" |\n");
            md.append("\nNo champion existed when this version was evaluated.\n");
            return md.toString();
        }
        md.append("| metric | champion v").append(e.championVersion()).append(" | candidate | delta | 95% CI of delta |\n|---|---|---|---|---|\n");
        for (String m : e.shown()) {
            Evaluation.Delta d = e.delta(m);
            String ci = d == null || Double.isNaN(d.ciLow()) ? "" : "[" + signed(d.ciLow()) + ", " + signed(d.ciHigh()) + "]";
            md.append("| ").append(EvaluationView.title(m)).append(" | ").append(fmt(e.champion(m))).append(" | ").append(fmt(e.candidate(m)))
                    .append(" | ").append(signed(e.candidate(m) - e.champion(m))).append(" | ").append(ci).append(" |\n");
        }
        md.append("\nDelta = candidate − champion, on the same rows; the interval is a paired bootstrap of 1,000 replicates.\n");
        return md.toString();
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.5f", v);
    }

    private static String signed(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%+.5f", v);
    }

    static EvaluationView readEvaluation(StepContext ctx, String dataset) {
        return EvaluationView.of(ctx.catalog().readJson(dataset, Evaluation.class));
    }
}
