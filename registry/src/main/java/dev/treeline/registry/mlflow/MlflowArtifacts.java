package dev.treeline.registry.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Artifacts through the tracking server's artifact proxy ({@code mlflow-artifacts:/...}), without the
 * Python client the Java client would shell out to.
 */
public final class MlflowArtifacts {
    public static final String SCHEME = "mlflow-artifacts:/";

    private final MlflowRest rest;

    MlflowArtifacts(MlflowRest rest) {
        this.rest = rest;
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
                    rest.putArtifact(base + "/" + rel, f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            rest.putArtifact(base + "/" + fileOrDir.getFileName(), fileOrDir);
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
            if (f.path("is_dir").asBoolean()) {
                download(proxiedDir + "/" + name, target.resolve(name));
            } else {
                rest.getArtifact(proxiedDir + "/" + name, target.resolve(name));
            }
        }
    }

    public List<String> list(String artifactUri, String artifactPath) {
        JsonNode files = rest.listArtifacts(proxiedPath(artifactUri) + "/" + artifactPath).path("files");
        return java.util.stream.StreamSupport.stream(files.spliterator(), false).map(f -> f.path("path").asText()).toList();
    }
}
