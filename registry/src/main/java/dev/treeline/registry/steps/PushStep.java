package dev.treeline.registry.steps;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.review.GateResult;
import dev.treeline.registry.review.ModelLifecycle;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Publishes to S3 for serving, the registered versions' files exactly as MLflow holds them (downloaded,
 * not rebuilt), each under an immutable version prefix: the candidate when it passed the gate (so it can
 * be verified, approved or A/B tested), and the champion, whose {@code champion.json} is written last.
 */
final class PushStep implements Step {
    private final String bucket;
    private final String prefix;

    PushStep(ServingTarget target) {
        this.bucket = target.bucket();
        this.prefix = target.prefix();
    }

    record Publication(
            @JsonProperty("bucket") String bucket,
            @JsonProperty("champion_version") String championVersion,
            @JsonProperty("champion_prefix") String championPrefix,
            @JsonProperty("pointer") String pointer,
            @JsonProperty("pointer_moved") boolean pointerMoved,
            @JsonProperty("published") Map<String, String> published) {}

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        Promotion promotion = ctx.catalog().readJson(ctx.input(0), Promotion.class);
        String model = promotion.model();
        try (MlflowConnection mlflow = MlflowConnection.fromEnvironment(ctx.environment().requireMlflow());
             S3Client s3 = S3Clients.create(ctx.environment().s3())) {
            S3Publisher publisher = new S3Publisher(s3, bucket, prefix, ctx.environment().s3());
            ModelLifecycle lifecycle = ModelLifecycle.forStep(ctx, mlflow, publisher);
            mlflow.registry().setModelTag(model, RegistryTags.SERVING_LOCATION, publisher.location(prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/"));
            Map<String, String> published = new LinkedHashMap<>();
            if (GateResult.PASSED.equals(promotion.validationStatus())) {
                published.put(promotion.candidateVersion(), lifecycle.publishVersion(mlflow.registry().version(model, promotion.candidateVersion())));
            }
            // Serving follows the champion MLflow names now, under the model's lock: in a backfill another run may have
            // promoted since this run's promote step, and its champion must not be replaced by this run's older one.
            ModelLifecycle.Served served = lifecycle.serveChampion(model, "pipeline " + ctx.pipeline().name());
            String champion = served.champion();
            boolean moved = served.moved();
            if (champion != null) published.put(champion, served.manifestSha256());
            String where = champion == null ? null : publisher.location(publisher.versionPrefix(model, champion));
            ctx.catalog().writeJson(ctx.output(0), new Publication(bucket, champion, where, publisher.location(publisher.pointerKey(model)), moved, published));
            if (where != null) ctx.tracker().setTags(Map.of("treeline.champion_s3", where));
            String summary = "published versions " + published.keySet() + " under " + publisher.location(publisher.modelPrefix(model))
                    + (champion == null ? "; no champion yet, champion.json not written"
                    : moved ? "; champion.json now names version " + champion : "; champion.json already names version " + champion);
            return StepResult.of(summary, champion == null ? Map.of() : Map.of("champion_version", Double.parseDouble(champion)));
        }
    }
}
