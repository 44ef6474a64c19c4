package dev.treeline.registry.steps;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowTracking;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Publishes the champion to S3 for serving: the registered version's files exactly as MLflow holds
 * them (downloaded, not rebuilt), under an immutable version prefix, then the champion pointer.
 */
final class PushStep implements Step {
    private final String bucket;
    private final String prefix;

    PushStep(String bucket, String prefix) {
        this.bucket = bucket;
        this.prefix = prefix;
    }

    record Publication(
            @JsonProperty("bucket") String bucket,
            @JsonProperty("version_prefix") String versionPrefix,
            @JsonProperty("pointer") String pointer,
            @JsonProperty("version") String version,
            @JsonProperty("manifest_sha256") String manifestSha256,
            @JsonProperty("files") int files,
            @JsonProperty("uploaded") boolean uploaded,
            @JsonProperty("pointer_moved") boolean pointerMoved) {}

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        Promotion promotion = ctx.catalog().readJson(ctx.input(0), Promotion.class);
        String model = promotion.model();
        String version = promotion.championVersion();
        try (MlflowConnection mlflow = MlflowConnection.fromEnvironment(ctx.environment().mlflowUri());
             S3Client s3 = S3Clients.create(ctx.environment().s3())) {
            ModelRef ref = mlflow.registry().version(model, version);
            Path local = ctx.scratchDir().resolve("v" + version);
            AtomicFiles.deleteRecursively(local);
            new MlflowTracking(mlflow).download(ref, local);

            Map<String, String> lineage = new LinkedHashMap<>(ref.tags());
            S3Publisher publisher = new S3Publisher(s3, bucket, prefix, ctx.environment().s3().sseKmsKeyId());
            S3Publisher.Result r = publisher.publishChampion(local, model, version, ref.runId(), lineage);
            String where = "s3://" + bucket + "/" + publisher.versionPrefix(model, version);
            mlflow.registry().setVersionTag(model, version, RegistryTags.PUBLISHED, where);
            Publication pub = new Publication(bucket, publisher.versionPrefix(model, version), publisher.pointerKey(model), version,
                    r.manifestSha256(), r.manifest().files().size(), r.uploaded(), r.pointerMoved());
            ctx.catalog().writeJson(ctx.output(0), pub);
            ctx.tracker().setTags(Map.of("treeline.champion_s3", where));
            String summary = (r.uploaded() ? "published " + r.manifest().files().size() + " files to " : "already published at ") + where
                    + (r.pointerMoved() ? "; champion.json now names version " + version : "; champion.json already names version " + version);
            return StepResult.of(summary, Map.of("champion_version", Double.parseDouble(version)));
        }
    }
}
