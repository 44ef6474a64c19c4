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
import java.util.List;
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
        for (String m : e.shown()) tags.put("treeline.holdout_" + m, fmt(e.candidate(m)));
        return tags;
    }

    private static String description(EvaluationView e) {
        StringBuilder md = new StringBuilder("Holdout " + e.holdoutFrom() + " to " + e.holdoutTo() + " (" + e.rows() + " rows).\n\n");
        if (e.championVersion() == null) {
            md.append("| metric | candidate |\n|---|---|\n");
            for (String m : e.shown()) md.append("| ").append(EvaluationView.title(m)).append(" | ").append(fmt(e.candidate(m))).append(" |\n");
            md.append("\nNo champion existed when this version was evaluated.");
        } else {
            md.append("| metric | champion v").append(e.championVersion()).append(" | candidate | delta |\n|---|---|---|---|\n");
            for (String m : e.shown()) {
                md.append("| ").append(EvaluationView.title(m)).append(" | ").append(fmt(e.champion(m))).append(" | ").append(fmt(e.candidate(m)))
                        .append(" | ").append(signed(e.candidate(m) - e.champion(m))).append(" |\n");
            }
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
    record EvaluationView(String holdoutFrom, String holdoutTo, long rows, String headline, Map<String, Double> candidate,
                          String championVersion, Map<String, Double> champion) {
        /** Metrics shown in a version's description and tags, in this order, when the evaluation has them. */
        static final List<String> SHOWN = List.of("auc", "logloss", "rmse", "mae", "r2", "mlogloss", "accuracy", "macro_f1");
        static final Map<String, String> TITLES = Map.of("auc", "AUC", "logloss", "log loss", "rmse", "RMSE", "mae", "MAE", "r2", "R²",
                "mlogloss", "multiclass log loss", "accuracy", "accuracy", "macro_f1", "macro F1");

        static String title(String metric) {
            return TITLES.getOrDefault(metric, metric);
        }

        List<String> shown() {
            // Binary models measure accuracy at a threshold; the table keeps to threshold-free metrics for them.
            return SHOWN.stream().filter(candidate::containsKey).filter(m -> !(m.equals("accuracy") && candidate.containsKey("auc"))).toList();
        }

        double candidate(String metric) {
            return candidate.getOrDefault(metric, Double.NaN);
        }

        double champion(String metric) {
            return champion == null ? Double.NaN : champion.getOrDefault(metric, Double.NaN);
        }

        static EvaluationView read(StepContext ctx, String dataset) {
            var j = Json.MAPPER.valueToTree(ctx.catalog().readJson(dataset, Map.class));
            var champ = j.path("champion");
            boolean hasChampion = champ.isObject();
            Map<String, Double> cand = numbers(j.path("candidate"));
            return new EvaluationView(j.path("holdout_from").asText(), j.path("holdout_to").asText(), Math.round(cand.getOrDefault("rows", 0.0)),
                    j.path("headline").asText("auc"), cand, hasChampion ? champ.path("version").asText() : null,
                    hasChampion ? numbers(champ.path("metrics")) : null);
        }

        private static Map<String, Double> numbers(com.fasterxml.jackson.databind.JsonNode n) {
            Map<String, Double> out = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble() : Double.NaN));
            return out;
        }
    }
}
