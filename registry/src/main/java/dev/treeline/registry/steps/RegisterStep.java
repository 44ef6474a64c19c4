package dev.treeline.registry.steps;

import dev.treeline.pipelines.Versions;
import dev.treeline.pipelines.run.GitInfo;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowRegistry;
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
        EvaluationView evaluation = EvaluationView.read(ctx, ctx.input(1));
        String model = ctx.pipeline().modelName();
        String runId = ctx.tracker().runId();
        try (MlflowConnection mlflow = MlflowConnection.fromEnvironment(ctx.environment().mlflowUri())) {
            MlflowRegistry registry = mlflow.registry();
            Optional<ModelRef> existing = registry.versionOfRun(model, runId);
            ModelRef version;
            if (existing.isPresent()) {
                version = existing.get();
                ctx.progress().detail("version " + version.version() + " was registered from this run already");
            } else {
                ctx.tracker().logArtifacts(bundle, MODEL_ARTIFACT);
                ctx.tracker().logArtifacts(Path.of(java.net.URI.create(ctx.catalog().location(ctx.input(1)))), "");
                registry.ensureModel(model, ctx.pipeline().description());
                String artifactUri = mlflow.rest().get("runs/get", Map.of("run_id", runId)).path("run").path("info").path("artifact_uri").asText();
                version = registry.createVersion(model, artifactUri + "/" + MODEL_ARTIFACT, runId, lineage(ctx, evaluation), description(evaluation));
            }
            registry.setAlias(model, RegistryTags.CHALLENGER, version.version());
            ctx.catalog().writeJson(ctx.output(0), new ModelVersionRecord(model, version.version(), runId, version.source()));
            ctx.tracker().setTags(Map.of("treeline.model_version", version.version()));
            return StepResult.of(model + " version " + version.version() + " (alias " + RegistryTags.CHALLENGER + ")",
                    Map.of("model_version", Double.parseDouble(version.version())));
        }
    }

    private static Map<String, String> lineage(StepContext ctx, EvaluationView e) {
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
        tags.put(RegistryTags.HOLDOUT_AUC, fmt(e.candidateAuc()));
        tags.put(RegistryTags.HOLDOUT_LOGLOSS, fmt(e.candidateLogloss()));
        return tags;
    }

    private static String description(EvaluationView e) {
        StringBuilder md = new StringBuilder("Holdout " + e.holdoutFrom() + " to " + e.holdoutTo() + " (" + e.rows() + " rows).\n\n");
        if (e.championVersion() == null) {
            md.append("| metric | candidate |\n|---|---|\n");
            md.append("| AUC | ").append(fmt(e.candidateAuc())).append(" |\n");
            md.append("| log loss | ").append(fmt(e.candidateLogloss())).append(" |\n\nNo champion existed when this version was evaluated.");
        } else {
            md.append("| metric | champion v").append(e.championVersion()).append(" | candidate | delta |\n|---|---|---|---|\n");
            md.append("| AUC | ").append(fmt(e.championAuc())).append(" | ").append(fmt(e.candidateAuc())).append(" | ")
                    .append(signed(e.candidateAuc() - e.championAuc())).append(" |\n");
            md.append("| log loss | ").append(fmt(e.championLogloss())).append(" | ").append(fmt(e.candidateLogloss())).append(" | ")
                    .append(signed(e.candidateLogloss() - e.championLogloss())).append(" |\n");
        }
        return md.toString();
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.5f", v);
    }

    private static String signed(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%+.5f", v);
    }

    /** The fields of the evaluate step's JSON this module needs (read without depending on training). */
    record EvaluationView(String holdoutFrom, String holdoutTo, long rows, double candidateAuc, double candidateLogloss,
                          String championVersion, double championAuc, double championLogloss) {
        static EvaluationView read(StepContext ctx, String dataset) {
            var j = Json.MAPPER.valueToTree(ctx.catalog().readJson(dataset, Map.class));
            var cand = j.path("candidate");
            var champ = j.path("champion");
            boolean hasChampion = champ.isObject();
            return new EvaluationView(j.path("holdout_from").asText(), j.path("holdout_to").asText(), cand.path("rows").asLong(),
                    num(cand.path("auc")), num(cand.path("logloss")),
                    hasChampion ? champ.path("version").asText() : null,
                    hasChampion ? num(champ.path("metrics").path("auc")) : Double.NaN,
                    hasChampion ? num(champ.path("metrics").path("logloss")) : Double.NaN);
        }

        private static double num(com.fasterxml.jackson.databind.JsonNode n) {
            return n.isNumber() ? n.asDouble() : Double.NaN;
        }
    }
}
