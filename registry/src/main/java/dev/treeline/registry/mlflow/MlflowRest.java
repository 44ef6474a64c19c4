package dev.treeline.registry.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.util.Json;
import dev.treeline.pipelines.util.Messages;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * MLflow's REST API over java.net.http: JSON calls under {@code /api/2.0/mlflow/} and artifact transfer
 * under {@code /api/2.0/mlflow-artifacts/}. Retries connection failures and 5xx with backoff; maps
 * errors to {@link MlflowException} with MLflow's error code.
 */
public final class MlflowRest {
    private static final int ATTEMPTS = 4;

    private final String baseUrl;
    private final MlflowCredentials credentials;
    private final HttpClient http;

    public MlflowRest(String baseUrl, MlflowCredentials credentials) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.credentials = credentials;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    public JsonNode get(String path, Map<String, String> query) {
        return json(request("/api/2.0/mlflow/" + path + queryString(query)).GET());
    }

    public JsonNode post(String path, Object body) {
        return json(request("/api/2.0/mlflow/" + path).POST(HttpRequest.BodyPublishers.ofString(Json.canonical(body)))
                .header("Content-Type", "application/json"));
    }

    public JsonNode patch(String path, Object body) {
        return json(request("/api/2.0/mlflow/" + path).method("PATCH", HttpRequest.BodyPublishers.ofString(Json.canonical(body)))
                .header("Content-Type", "application/json"));
    }

    public JsonNode delete(String path, Object body) {
        return json(request("/api/2.0/mlflow/" + path).method("DELETE", HttpRequest.BodyPublishers.ofString(Json.canonical(body)))
                .header("Content-Type", "application/json"));
    }

    /** True when {@code GET /health} answers 200. */
    public boolean healthy() {
        try {
            HttpResponse<String> r = http.send(request("/health").GET().timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- artifacts (the server's proxied artifact store) ---------------------------------------

    public void putArtifact(String artifactPath, Path file) {
        send(request("/api/2.0/mlflow-artifacts/artifacts/" + encodePath(artifactPath))
                .PUT(bodyOf(file)).header("Content-Type", "application/octet-stream"), HttpResponse.BodyHandlers.ofString(), "upload " + artifactPath);
    }

    /** {@code POST /api/2.0/mlflow-artifacts/<path>} with a JSON body (multipart upload create, complete, abort). */
    public JsonNode postArtifactsApi(String path, Object body) {
        return json(request("/api/2.0/mlflow-artifacts/" + encodePath(path)).POST(HttpRequest.BodyPublishers.ofString(Json.canonical(body)))
                .header("Content-Type", "application/json"));
    }

    /**
     * PUTs one part to a presigned URL the server handed out (the object store's, not MLflow's: no
     * Authorization header) and returns its ETag.
     */
    public String putPart(String url, Map<String, String> headers, byte[] data) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).PUT(HttpRequest.BodyPublishers.ofByteArray(data));
        headers.forEach(b::header);
        HttpResponse<String> r = sendRaw(b, HttpResponse.BodyHandlers.ofString(), "upload part to the artifact store");
        return r.headers().firstValue("ETag").orElse("");
    }

    public JsonNode listArtifacts(String artifactDir) {
        return json(request("/api/2.0/mlflow-artifacts/artifacts" + queryString(Map.of("path", artifactDir))).GET());
    }

    public void getArtifact(String artifactPath, Path target) {
        HttpResponse<InputStream> r = send(request("/api/2.0/mlflow-artifacts/artifacts/" + encodePath(artifactPath)).GET(),
                HttpResponse.BodyHandlers.ofInputStream(), "download " + artifactPath);
        try (InputStream in = r.body()) {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new MlflowException(0, null, "cannot save MLflow artifact " + artifactPath + " to " + target + ": " + e.getMessage(), e);
        }
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private <T> HttpResponse<T> sendRaw(HttpRequest.Builder builder, HttpResponse.BodyHandler<T> handler, String what) {
        return send(builder, handler, what);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(5));
        String auth = credentials.header();
        if (auth != null) b.header("Authorization", auth);
        return b;
    }

    private JsonNode json(HttpRequest.Builder request) {
        HttpResponse<String> r = send(request, HttpResponse.BodyHandlers.ofString(), null);
        String body = r.body();
        return body == null || body.isBlank() ? Json.object() : Json.parse(body);
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder builder, HttpResponse.BodyHandler<T> handler, String what) {
        HttpRequest request = builder.build();
        String label = what != null ? what : request.method() + " " + request.uri().getPath();
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<T> r = http.send(request, handler);
                if (r.statusCode() / 100 == 2) return r;
                String body = r.body() instanceof String s ? s : readQuietly(r.body());
                if (r.statusCode() >= 500 && attempt < ATTEMPTS) {
                    backoff(attempt);
                    continue;
                }
                throw error(r.statusCode(), body, label);
            } catch (IOException e) {
                last = e;
                if (attempt < ATTEMPTS) backoff(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MlflowException(0, null, "interrupted while calling MLflow at " + baseUrl, e);
            }
        }
        String reason = last instanceof ConnectException || last instanceof HttpConnectTimeoutException ? "connection refused" : String.valueOf(last);
        throw MlflowException.unreachable(baseUrl, reason + ", " + ATTEMPTS + " attempts", last);
    }

    private MlflowException error(int status, String body, String label) {
        String code = null;
        String message = body;
        try {
            JsonNode j = Json.parse(body);
            code = j.path("error_code").asText(null);
            message = j.path("message").asText(body);
        } catch (RuntimeException notJson) {
            // keep the raw body
        }
        String hint = status == 401 || status == 403
                ? "; check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD (" + credentials + ")" : "";
        return new MlflowException(status, code, "MLflow at " + baseUrl + " refused " + label + ": HTTP " + status
                + (code == null ? "" : " " + code) + ": " + Messages.truncate(message, 300) + hint, null);
    }

    private static String readQuietly(Object body) {
        if (body instanceof InputStream in) {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }
        return String.valueOf(body);
    }

    private static HttpRequest.BodyPublisher bodyOf(Path file) {
        try {
            return HttpRequest.BodyPublishers.ofFile(file);
        } catch (IOException e) {
            throw new MlflowException(0, null, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(250L * (1L << (attempt - 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String queryString(Map<String, String> query) {
        if (query == null || query.isEmpty()) return "";
        StringJoiner j = new StringJoiner("&", "?", "");
        query.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return j.toString();
    }

    static String encodePath(String path) {
        StringJoiner j = new StringJoiner("/");
        for (String part : path.split("/")) j.add(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        return j.toString();
    }
}
