package dev.treeline.registry.s3;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Publishes a model version to S3 for serving. Files go under an immutable
 * {@code <prefix><model>/<version>/} prefix, then {@code manifest.json} (which marks the version as
 * published), then the pointer {@code <prefix><model>/champion.json}: a crash at any point leaves the
 * pointer on the previous version, and a rerun completes the work.
 */
public final class S3Publisher {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String kmsKeyId;

    public S3Publisher(S3Client s3, String bucket, String prefix, String kmsKeyId) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix) : prefix + "/";
        this.kmsKeyId = kmsKeyId;
    }

    public String versionPrefix(String model, String version) {
        return prefix + model + "/" + version + "/";
    }

    public String pointerKey(String model) {
        return prefix + model + "/" + ChampionPointer.FILE;
    }

    public record Result(Manifest manifest, String manifestSha256, boolean uploaded, boolean pointerMoved) {}

    /** Uploads {@code dir} as the version (no-op when already published with the same bytes), then points the champion at it. */
    public Result publishChampion(Path dir, String model, String version, String runId, Map<String, String> lineage) {
        String versionPrefix = versionPrefix(model, version);
        List<Manifest.FileEntry> files = Manifest.describe(dir);
        Optional<Manifest> existing = readJson(versionPrefix + Manifest.FILE, Manifest.class);
        boolean uploaded = false;
        Manifest manifest;
        if (existing.isPresent()) {
            if (!existing.get().sameFilesAs(files)) {
                throw new TreelineException(ExitCode.FAILURE, "s3://" + bucket + "/" + versionPrefix + Manifest.FILE
                        + " already lists different files for " + model + " version " + version
                        + "; published versions are immutable: find out why the registry's artifacts changed before deleting that prefix by hand");
            }
            manifest = existing.get();
        } else {
            for (Manifest.FileEntry f : files) put(versionPrefix + f.path(), RequestBody.fromFile(dir.resolve(f.path())), contentType(f.path()));
            manifest = new Manifest(1, model, version, runId, Instant.now().toString(), files, lineage);
            put(versionPrefix + Manifest.FILE, RequestBody.fromString(Json.write(manifest), StandardCharsets.UTF_8), "application/json");
            uploaded = true;
        }
        String manifestSha = Hashing.sha256(get(versionPrefix + Manifest.FILE));
        Optional<ChampionPointer> current = readJson(pointerKey(model), ChampionPointer.class);
        boolean moved = false;
        if (current.isEmpty() || !current.get().version().equals(version) || !current.get().manifestSha256().equals(manifestSha)) {
            ChampionPointer pointer = new ChampionPointer(model, version, "s3://" + bucket + "/" + versionPrefix,
                    versionPrefix + Manifest.FILE, manifestSha, Instant.now().toString());
            put(pointerKey(model), RequestBody.fromString(Json.write(pointer), StandardCharsets.UTF_8), "application/json");
            moved = true;
        }
        return new Result(manifest, manifestSha, uploaded, moved);
    }

    public Optional<ChampionPointer> pointer(String model) {
        return readJson(pointerKey(model), ChampionPointer.class);
    }

    public byte[] get(String key) {
        return call("read s3://" + bucket + "/" + key, () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    }

    <T> Optional<T> readJson(String key, Class<T> type) {
        try {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
            return Optional.of(Json.MAPPER.readValue(bytes, type));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (java.io.IOException e) {
            throw new TreelineException(ExitCode.FAILURE, "s3://" + bucket + "/" + key + " is not valid JSON: " + e.getMessage(), e);
        } catch (NoSuchBucketException e) {
            throw noBucket(e);
        } catch (SdkClientException | S3Exception e) {
            throw unreachable("read s3://" + bucket + "/" + key, e);
        }
    }

    private void put(String key, RequestBody body, String contentType) {
        PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType);
        if (kmsKeyId != null) req.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(kmsKeyId);
        call("write s3://" + bucket + "/" + key, () -> s3.putObject(req.build(), body));
    }

    private <T> T call(String what, java.util.function.Supplier<T> op) {
        try {
            return op.get();
        } catch (NoSuchBucketException e) {
            throw noBucket(e);
        } catch (SdkClientException | S3Exception e) {
            throw unreachable(what, e);
        }
    }

    private TreelineException noBucket(Exception e) {
        return new TreelineException(ExitCode.SERVICE, "bucket '" + bucket + "' does not exist; create it (infra/terraform on AWS; "
                + "'treeline local up' creates it on the local stack) or set the push step's params.bucket", e);
    }

    private TreelineException unreachable(String what, Exception e) {
        return new TreelineException(ExitCode.SERVICE, "cannot " + what + ": " + e.getMessage()
                + "; check TREELINE_S3_ENDPOINT/AWS credentials, or start the local stack with 'treeline local up'", e);
    }

    private static String contentType(String path) {
        return path.endsWith(".json") ? "application/json" : "application/octet-stream";
    }
}
