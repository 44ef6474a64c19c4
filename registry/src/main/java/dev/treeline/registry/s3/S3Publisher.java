package dev.treeline.registry.s3;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.S3Settings;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import dev.treeline.pipelines.util.SafePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Model versions in S3 for serving. Files go under an immutable {@code <prefix><model>/<version>/}
 * prefix, then {@code manifest.json} (which marks the version as published); only then may a pointer
 * ({@code champion.json}, {@code routing.json}) name it: a crash at any point leaves serving on the
 * previous version, and a rerun completes the work. Every object is written with server-side encryption.
 */
public final class S3Publisher {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String sse;
    private final String kmsKeyId;

    public S3Publisher(S3Client s3, String bucket, String prefix, S3Settings settings) {
        this(s3, bucket, prefix, settings.sse(), settings.sseKmsKeyId());
    }

    /** {@code sse}: one of {@link S3Settings}'s SSE values. */
    public S3Publisher(S3Client s3, String bucket, String prefix, String sse, String kmsKeyId) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix) : prefix + "/";
        this.sse = sse;
        this.kmsKeyId = kmsKeyId;
    }

    public String modelPrefix(String model) {
        return prefix + SafePaths.modelName(model) + "/";
    }

    public String versionPrefix(String model, String version) {
        if (version == null || !version.matches("[0-9]{1,18}")) {
            throw new TreelineException(ExitCode.USAGE, "model version '" + version + "' is not a version number");
        }
        return modelPrefix(model) + version + "/";
    }

    public String pointerKey(String model) {
        return modelPrefix(model) + ChampionPointer.FILE;
    }

    public String routingKey(String model) {
        return modelPrefix(model) + Routing.FILE;
    }

    public String auditPrefix(String model) {
        return modelPrefix(model) + "audit/";
    }

    public String location(String key) {
        return "s3://" + bucket + "/" + key;
    }

    public record Result(Manifest manifest, String manifestSha256, boolean uploaded) {}

    /**
     * Uploads {@code dir} as the version: every file, then {@code manifest.json}, which marks the prefix
     * as published. A published prefix is never written again: the same files are a no-op, other files are refused.
     */
    public Result publishVersion(Path dir, String model, String version, String runId, Map<String, String> lineage, Map<String, Double> metrics) {
        String versionPrefix = versionPrefix(model, version);
        List<Manifest.FileEntry> files = Manifest.describe(dir);
        Optional<Manifest> existing = readJson(versionPrefix + Manifest.FILE, Manifest.class);
        if (existing.isPresent()) {
            if (!existing.get().sameFilesAs(files)) {
                throw new TreelineException(ExitCode.FAILURE, location(versionPrefix + Manifest.FILE)
                        + " already lists different files for " + model + " version " + version
                        + "; published versions are immutable: find out why the registry's artifacts changed before deleting that prefix by hand");
            }
            return new Result(existing.get(), Hashing.sha256(get(versionPrefix + Manifest.FILE)), false);
        }
        for (Manifest.FileEntry f : files) put(versionPrefix + f.path(), RequestBody.fromFile(dir.resolve(f.path())), contentType(f.path()));
        Manifest manifest = new Manifest(1, model, version, runId, Instant.now().toString(), files, lineage, metrics);
        byte[] bytes = Json.write(manifest).getBytes(StandardCharsets.UTF_8);
        put(versionPrefix + Manifest.FILE, RequestBody.fromBytes(bytes), "application/json");
        return new Result(manifest, Hashing.sha256(bytes), true);
    }

    /** The published manifest of a version, with its sha256, or empty when the version is not (completely) published. */
    public Optional<Map.Entry<Manifest, String>> published(String model, String version) {
        String key = versionPrefix(model, version) + Manifest.FILE;
        Optional<Manifest> m = readJson(key, Manifest.class);
        return m.map(manifest -> Map.entry(manifest, Hashing.sha256(get(key))));
    }

    /** Points {@code champion.json} at a published version; returns false when it already did. Written last, after the version's files. */
    public boolean pointChampion(String model, String version) {
        String manifestSha = published(model, version).map(Map.Entry::getValue).orElseThrow(() -> new TreelineException(ExitCode.FAILURE,
                model + " version " + version + " is not published at " + location(versionPrefix(model, version)) + "; publish it first"));
        Optional<ChampionPointer> current = pointer(model);
        if (current.isPresent() && current.get().version().equals(version) && current.get().manifestSha256().equals(manifestSha)) return false;
        String versionPrefix = versionPrefix(model, version);
        ChampionPointer pointer = new ChampionPointer(model, version, location(versionPrefix), versionPrefix + Manifest.FILE, manifestSha,
                Instant.now().toString());
        put(pointerKey(model), RequestBody.fromString(Json.write(pointer), StandardCharsets.UTF_8), "application/json");
        return true;
    }

    public Optional<Routing> routing(String model) {
        return readJson(routingKey(model), Routing.class);
    }

    public void writeRouting(Routing routing) {
        put(routingKey(routing.model()), RequestBody.fromString(Json.write(routing), StandardCharsets.UTF_8), "application/json");
    }

    /** One audit event as its own object (S3 has no append): keys sort by time, so the listing in order is the log. */
    public void appendAudit(String model, String stamp, String jsonLine) {
        put(auditPrefix(model) + stamp + ".jsonl", RequestBody.fromString(jsonLine + "\n", StandardCharsets.UTF_8), "application/x-ndjson");
    }

    /** The audit log's lines in time order. */
    public List<String> audit(String model) {
        List<String> out = new ArrayList<>();
        for (String key : keys(auditPrefix(model))) out.add(new String(get(key), StandardCharsets.UTF_8).strip());
        return out;
    }

    /** Every key under {@code keyPrefix}, sorted. */
    public List<String> keys(String keyPrefix) {
        return call("list " + location(keyPrefix), () -> {
            List<String> keys = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(keyPrefix)).contents().forEach(o -> keys.add(o.key()));
            keys.sort(null);
            return keys;
        });
    }

    /**
     * Downloads a published version into {@code target} and checks every file against the manifest
     * (size and sha256) and the manifest against {@code champion.json} when that names it. Returns the
     * problems found, empty when everything matches.
     */
    public List<String> download(String model, String version, Path target) {
        String versionPrefix = versionPrefix(model, version);
        Map.Entry<Manifest, String> published = published(model, version).orElseThrow(() -> new TreelineException(ExitCode.FAILURE,
                model + " version " + version + " is not published: " + location(versionPrefix + Manifest.FILE) + " does not exist"));
        List<String> problems = new ArrayList<>();
        Optional<ChampionPointer> p = pointer(model);
        if (p.isPresent() && p.get().version().equals(version) && !p.get().manifestSha256().equals(published.getValue())) {
            problems.add(location(versionPrefix + Manifest.FILE) + ": sha256 " + published.getValue() + " but champion.json expects "
                    + p.get().manifestSha256());
        }
        for (Manifest.FileEntry f : published.getKey().files()) {
            Path file = SafePaths.under(target, f.path(), location(versionPrefix + Manifest.FILE));
            try {
                Files.createDirectories(file.getParent());
                Files.write(file, get(versionPrefix + f.path()));
                long size = Files.size(file);
                String sha = Hashing.sha256(file);
                if (size != f.size() || !sha.equals(f.sha256())) {
                    problems.add(location(versionPrefix + f.path()) + ": " + size + " bytes, sha256 " + sha + "; the manifest says " + f.size()
                            + " bytes, sha256 " + f.sha256());
                }
            } catch (TreelineException e) {
                problems.add(location(versionPrefix + f.path()) + ": " + e.getMessage());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return problems;
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
        } catch (IOException e) {
            throw new TreelineException(ExitCode.FAILURE, "s3://" + bucket + "/" + key + " is not valid JSON: " + e.getMessage(), e);
        } catch (NoSuchBucketException e) {
            throw noBucket(e);
        } catch (SdkClientException | S3Exception e) {
            throw unreachable("read s3://" + bucket + "/" + key, e);
        }
    }

    private void put(String key, RequestBody body, String contentType) {
        PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType);
        // Every object is encrypted at rest as configured: SSE-KMS with the key, or SSE-S3 (not on the local stack's S3Proxy).
        if (S3Settings.SSE_KMS.equals(sse)) req.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(kmsKeyId);
        else if (S3Settings.SSE_S3.equals(sse)) req.serverSideEncryption(ServerSideEncryption.AES256);
        call("write s3://" + bucket + "/" + key, () -> s3.putObject(req.build(), body));
    }

    private <T> T call(String what, Supplier<T> op) {
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
        return S3Clients.failure(what, e);
    }

    private static String contentType(String path) {
        return path.endsWith(".json") ? "application/json" : "application/octet-stream";
    }
}
