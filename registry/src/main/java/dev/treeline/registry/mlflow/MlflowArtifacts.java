package dev.treeline.registry.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.util.SafePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Artifacts through the tracking server's artifact proxy ({@code mlflow-artifacts:/...}), without the
 * Python client the Java client would shell out to. Large files go up in parts through the presigned
 * URLs the server hands out when its store supports it (S3, as MLflow's own client does; thresholds
 * from {@code MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE} and {@code MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE}).
 */
public final class MlflowArtifacts {
    public static final String SCHEME = "mlflow-artifacts:/";

    /** MLflow's own settings and defaults: files from 500 MiB go up in 100 MiB parts. */
    static final long DEFAULT_MULTIPART_MIN = 500L << 20;
    static final long DEFAULT_MULTIPART_CHUNK = 100L << 20;
    private static final String MULTIPART_UNSUPPORTED = "Multipart upload is not supported";

    private final MlflowRest rest;
    private final long multipartMin;
    private final long multipartChunk;

    MlflowArtifacts(MlflowRest rest) {
        this(rest, size("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", DEFAULT_MULTIPART_MIN), size("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", DEFAULT_MULTIPART_CHUNK));
    }

    MlflowArtifacts(MlflowRest rest, long multipartMin, long multipartChunk) {
        this.rest = rest;
        this.multipartMin = multipartMin;
        this.multipartChunk = multipartChunk;
    }

    /** The same client with other multipart thresholds (bytes). */
    public MlflowArtifacts withMultipart(long minFileSize, long chunkSize) {
        return new MlflowArtifacts(rest, minFileSize, chunkSize);
    }

    private static long size(String env, long fallback) {
        String v = System.getenv(env);
        try {
            return v == null || v.isBlank() ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new MlflowException(0, null, env + "='" + v + "' is not a number of bytes", e);
        }
    }

    /** {@code mlflow-artifacts:/1/abc/artifacts} → {@code 1/abc/artifacts}; fails for other stores. */
    public static String proxiedPath(String artifactUri) {
        if (artifactUri == null || !artifactUri.startsWith(SCHEME)) {
            throw new MlflowException(0, null, "artifact location " + artifactUri + " is not served by the MLflow server; "
                    + "start the server with artifact serving (the default, --serve-artifacts)", null);
        }
        String p = artifactUri.substring(SCHEME.length());
        while (p.startsWith("/")) p = p.substring(1);
        return p;
    }

    /** Uploads a file, or every file under a directory, to {@code <artifactUri>/<artifactPath>}. */
    public void upload(String artifactUri, Path fileOrDir, String artifactPath) {
        String base = proxiedPath(artifactUri) + (artifactPath == null || artifactPath.isEmpty() ? "" : "/" + artifactPath);
        if (Files.isDirectory(fileOrDir)) {
            try (Stream<Path> walk = Files.walk(fileOrDir)) {
                for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                    String rel = fileOrDir.relativize(f).toString().replace('\\', '/');
                    if (f.getFileName().toString().startsWith(".")) continue; // Hadoop's .crc side files
                    put(base + "/" + rel, f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            put(base + "/" + fileOrDir.getFileName(), fileOrDir);
        }
    }

    /** One file: in parts through presigned URLs when it is large and the server's store supports it, else one PUT. */
    private void put(String artifactPath, Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (size >= multipartMin && size > 0 && multipart(artifactPath, file, size)) return;
        rest.putArtifact(artifactPath, file);
    }

    /** False when the server's artifact store has no multipart upload (then the caller PUTs the file whole). */
    public boolean multipart(String artifactPath, Path file, long size) {
        int slash = artifactPath.lastIndexOf('/');
        String dir = slash < 0 ? "" : artifactPath.substring(0, slash);
        String name = artifactPath.substring(slash + 1);
        int parts = (int) ((size + multipartChunk - 1) / multipartChunk);
        JsonNode created;
        try {
            created = rest.postArtifactsApi("mpu/create/" + dir, Map.of("path", name, "num_parts", parts));
        } catch (MlflowException e) {
            if (e.getMessage().contains(MULTIPART_UNSUPPORTED)) return false;
            throw e;
        }
        String uploadId = created.path("upload_id").asText();
        try (FileChannel ch = FileChannel.open(file)) {
            List<Map<String, Object>> done = new ArrayList<>();
            for (JsonNode c : created.path("credentials")) {
                int part = c.path("part_number").asInt();
                long start = (part - 1L) * multipartChunk;
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(multipartChunk, size - start));
                while (buf.hasRemaining() && ch.read(buf, start + buf.position()) > 0) {
                    // read the whole part
                }
                Map<String, String> headers = new LinkedHashMap<>();
                c.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
                String etag = rest.putPart(c.path("url").asText(), headers, buf.array());
                done.add(Map.of("part_number", part, "etag", etag, "url", c.path("url").asText()));
            }
            rest.postArtifactsApi("mpu/complete/" + dir, Map.of("path", name, "upload_id", uploadId, "parts", done));
            return true;
        } catch (IOException | RuntimeException e) {
            try {
                rest.postArtifactsApi("mpu/abort/" + dir, Map.of("path", name, "upload_id", uploadId));
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    /** Downloads the directory {@code <artifactUri>/<artifactPath>} into {@code target}. */
    public Path downloadDirectory(String artifactUri, String artifactPath, Path target) {
        download(proxiedPath(artifactUri) + (artifactPath.isEmpty() ? "" : "/" + artifactPath), target);
        return target;
    }

    /** Downloads everything under a proxied path, e.g. {@code 1/abc/artifacts/model}. */
    public void download(String proxiedDir, Path target) {
        JsonNode listing = rest.listArtifacts(proxiedDir);
        JsonNode files = listing.path("files");
        if (!files.isArray() || files.isEmpty()) {
            throw new MlflowException(404, "RESOURCE_DOES_NOT_EXIST", "no artifacts under " + proxiedDir + " on " + rest.baseUrl(), null);
        }
        for (JsonNode f : files) {
            String name = f.path("path").asText();
            // The server lists names relative to the directory; anything that climbs out of it is refused.
            Path local = SafePaths.child(target, name, "MLflow's artifact listing of " + proxiedDir + " on " + rest.baseUrl());
            if (f.path("is_dir").asBoolean()) {
                download(proxiedDir + "/" + name, local);
            } else {
                rest.getArtifact(proxiedDir + "/" + name, local);
            }
        }
    }

    public List<String> list(String artifactUri, String artifactPath) {
        JsonNode files = rest.listArtifacts(proxiedPath(artifactUri) + "/" + artifactPath).path("files");
        return StreamSupport.stream(files.spliterator(), false).map(f -> f.path("path").asText()).toList();
    }
}
