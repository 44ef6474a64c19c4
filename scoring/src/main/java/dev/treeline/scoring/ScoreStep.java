package dev.treeline.scoring;

import dev.treeline.features.build.Enrichment;
import dev.treeline.features.build.FeatureMeta;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowTracking;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.steps.ServingTarget;
import dev.treeline.training.bundle.ModelBundle;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Scores the logical date's rows with the model serving loads from S3 (never the training workspace's) and
 * publishes the day to the scores dataset and the rows that could not be scored, with the reason, to the
 * rejects dataset; a rerun replaces both days. Each run is an MLflow run in {@code <model>-scoring}.
 */
final class ScoreStep implements Step {
    private final ScoreParams params;

    ScoreStep(ScoreParams params) {
        this.params = params;
    }

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        String model = params.model() != null ? params.model() : ctx.pipeline().modelName();
        LocalDate day = ctx.logicalDate();
        PartitionedDataset input = ctx.catalog().partitioned(ctx.input(0));
        PartitionMarker in = input.marker(day);
        if (in == null) {
            throw TreelineException.data("dataset '" + ctx.input(0) + "' has no partition for " + day + " to score; run the step that writes it first");
        }
        PartitionedDataset scores = ctx.catalog().partitioned(ctx.output(0));
        PartitionedDataset rejects = ctx.catalog().partitioned(ctx.output(1));
        ServingTarget target = params.target() != null ? params.target() : ServingTarget.of(ctx.pipeline());
        if (target == null) {
            throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': the pipeline has no push step to take serving's bucket from; "
                    + "set params.bucket (and params.prefix)");
        }
        try (MlflowConnection mlflow = MlflowConnection.fromEnvironment(ctx.environment().requireMlflow());
             S3Client s3 = S3Clients.create(ctx.environment().s3())) {
            S3Publisher publisher = target.publisher(s3, ctx.environment().s3());
            ServedModel served = ServedModel.resolve(publisher, model, params.version(), a -> mlflow.registry().resolveVersion(model, a),
                    ctx.environment().layout().tmp().resolve("served"));
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put("treeline.model", model);
            tags.put("treeline.day", day.toString());
            tags.put("treeline.pipeline", ctx.pipeline().name());
            tags.put("treeline.pipeline_run", ctx.runId());
            tags.put("treeline.model_versions", String.join(",", served.variants().stream().map(ServedModel.Variant::version).toList()));
            Tracker run = new MlflowTracking(mlflow).start(experiment(model), "score " + day, tags);
            boolean ok = false;
            try {
                Map<String, Double> metrics = score(ctx, served, input, in, scores, rejects, day, run.runId());
                run.logParams(params(served, ctx.input(0)));
                run.logMetrics(metrics);
                ok = true;
                long scored = metrics.get("rows_scored").longValue();
                long rejected = metrics.get("rows_rejected").longValue();
                String split = served.split() ? " (A/B " + splitText(served, metrics) + ")" : "";
                String summary = String.format("%s %s: %,d rows scored with version %s%s, %,d rejected; score drift PSI %.3f -> %s", model, day, scored,
                        served.primary().version(), split, rejected, metrics.getOrDefault(served.split() ? "score_psi_" + served.primary().name()
                                : "score_psi", Double.NaN), scores.location());
                Map<String, Double> numbers = new LinkedHashMap<>();
                numbers.put("rows_scored", (double) scored);
                numbers.put("rows_rejected", (double) rejected);
                metrics.forEach((k, v) -> { if (k.startsWith("score_psi")) numbers.put(k, v); });
                return StepResult.of(summary, numbers).withFacts(Map.of("scoring_run", run.url() == null ? run.runId() : run.url()));
            } finally {
                run.end(ok);
            }
        }
    }

    static String experiment(String model) {
        return model + "-scoring";
    }

    private Map<String, Double> score(StepContext ctx, ServedModel served, PartitionedDataset input, PartitionMarker in, PartitionedDataset scores,
                                      PartitionedDataset rejects, LocalDate day, String runId) {
        String dayColumn = input.column();
        Dataset<Row> raw = in.rows() == 0 ? null : input.read(List.of(day));
        BatchScorer.Result r = raw == null ? new BatchScorer.Result(null, null, List.of())
                : BatchScorer.score(ctx.spark(), served, raw, new BatchScorer.Settings(params.id(), params.passThrough(), dayColumn),
                        (bundle, rows) -> lookups(ctx, bundle, rows, dayColumn, day, day), runId, Instant.now());
        String fingerprint = in.fingerprint() + "|" + String.join(",", served.variants().stream().map(v -> v.version() + ":" + v.manifestSha256()).toList());
        // Rejects first: a day's scores, once visible, always have their rejects beside them.
        rejects.replace(r.rejects(), List.of(day), d -> fingerprint);
        scores.replace(r.scored(), List.of(day), d -> fingerprint);
        long scored = scores.rows(day);
        long rejected = rejects.rows(day);
        if (scored + rejected != in.rows()) {
            throw new IllegalStateException(String.format("%s: %,d rows in but %,d scored + %,d rejected", day, in.rows(), scored, rejected));
        }
        if (!r.missingColumns().isEmpty()) {
            ctx.progress().info("warning: step '" + ctx.step().name() + "': every row of " + day + " rejected: '" + ctx.input(0) + "' lacks column(s) "
                    + r.missingColumns() + " that model " + served.model() + " reads");
        }
        return ScoreSummary.of(ctx.spark(), served, scored == 0 ? null : scores.read(List.of(day)), in.rows(), rejected);
    }

    /** What the bundle looks up as of each row's day, from the step's further inputs. */
    static Dataset<Row> lookups(StepContext ctx, ModelBundle bundle, Dataset<Row> rows, String dayColumn, LocalDate from, LocalDate to) {
        FeatureMeta meta = bundle.featureMeta();
        if (!meta.needsLookups()) return rows;
        List<String> needed = new ArrayList<>();
        if (meta.aggregatesDataset() != null) needed.add(meta.aggregatesDataset());
        if (meta.joinDatasets() != null) needed.addAll(meta.joinDatasets());
        for (String n : needed) {
            if (!ctx.step().inputs().contains(n)) {
                throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': the served model looks up features in dataset '" + n
                        + "'; add it to the step's inputs: [" + String.join(", ", ctx.step().inputs()) + ", " + n + "]");
            }
        }
        return Enrichment.attach(ctx.catalog(), FeatureMeta.readSpec(bundle.dir().resolve(ModelBundle.FEATURE_PIPELINE)), rows, dayColumn,
                meta.aggregatesDataset(), from, to);
    }

    private Map<String, String> params(ServedModel served, String input) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("input", input);
        p.put("id", params.id().isEmpty() ? BatchScorer.ROW_ID + " (hash of every column)" : String.join(",", params.id()));
        for (ServedModel.Variant v : served.variants()) p.put("variant_" + v.name(), "version " + v.version() + ", weight " + v.weight());
        if (served.experiment() != null) p.put("ab_experiment", served.experiment());
        return p;
    }

    static String splitText(ServedModel served, Map<String, Double> metrics) {
        List<String> parts = new ArrayList<>();
        for (ServedModel.Variant v : served.variants()) {
            parts.add(String.format("%s v%s %,d", v.name(), v.version(), metrics.getOrDefault("rows_" + v.name(), 0.0).longValue()));
        }
        return String.join(" / ", parts);
    }
}
