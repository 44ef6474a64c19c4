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
import java.net.http.HttpTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.StringJoiner;

/**
 * MLflow's REST API over java.net.http: JSON calls under {@code /api/2.0/mlflow/} and artifact transfer
 * under {@code /api/2.0/mlflow-artifacts/}. Every call has a connect timeout and a timeout for the whole
 * answer. Idempotent calls (reads, updates, tags, log-batch with fixed timestamps, artifact PUTs) are
 * retried on connection failures, timeouts and 5xx with backoff; a create is not: see {@link #create}.
 * Errors become {@link MlflowException} with MLflow's error code.
 */
public final class MlflowRest {
    private static final int ATTEMPTS = 4;
    /** JSON calls; an answer slower than this is a stalled server, not a slow one. */
    static final Duration JSON_TIMEOUT = Duration.ofSeconds(60);
    /** Artifact transfers, which move whole files. */
    private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(10);

    private final String baseUrl;
    private final MlflowCredentials credentials;
    private final HttpClient http;
    private final Duration jsonTimeout;

    public MlflowRest(String baseUrl, MlflowCredentials credentials) {
        this(baseUrl, credentials, JSON_TIMEOUT);
    }

    MlflowRest(String baseUrl, MlflowCredentials credentials, Duration jsonTimeout) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.credentials = credentials;
        this.jsonTimeout = jsonTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    public JsonNode get(String path, Map<String, String> query) {
        return json(request("/api/2.0/mlflow/" + path + queryString(query)).GET());
    }

    /** A POST that may be repeated (MLflow posts reads, tags, updates and log-batch). Creates go through {@link #create}. */
    public JsonNode post(String path, Object body) {
        if (CREATES.contains(path)) throw new IllegalArgumentException(path + " creates; call create() with a lookup");
        return json(postRequest(path, body), true);
    }

    /** MLflow calls that make a new object each time: a blind retry after an unclear failure could make two. */
    static final Set<String> CREATES = Set.of("runs/create", "model-versions/create", "experiments/create",
            "registered-models/create");

    /**
     * A create: sent again only when the first try surely never reached MLflow (connection refused).
     * After an unclear failure (a 5xx, a dropped connection or a timeout once the request was sent) it asks
     * {@code lookup} whether MLflow made the object after all and returns that; only when the lookup finds
     * nothing is the create sent again. 4xx errors (e.g. RESOURCE_ALREADY_EXISTS) go to the caller at once.
     */
    public JsonNode create(String path, Object body, Supplier<Optional<JsonNode>> lookup) {
        if (!CREATES.contains(path)) throw new IllegalArgumentException(path + " is not a create");
        MlflowException unclear = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (unclear != null) {
                Optional<JsonNode> made = lookup.get();
                if (made.isPresent()) return made.get();
            }
            try {
                return json(postRequest(path, body), false);
            } catch (MlflowException e) {
                if (!e.unclear()) throw e;
                unclear = e;
                backoff(attempt);
            }
        }
        Optional<JsonNode> made = lookup.get();
        if (made.isPresent()) return made.get();
        throw unclear;
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
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TRANSFER_TIMEOUT);
        String auth = credentials.header();
        if (auth != null) b.header("Authorization", auth);
        return b;
    }

    private HttpRequest.Builder postRequest(String path, Object body) {
        return request("/api/2.0/mlflow/" + path).POST(HttpRequest.BodyPublishers.ofString(Json.canonical(body)))
                .header("Content-Type", "application/json");
    }

    private JsonNode json(HttpRequest.Builder request) {
        return json(request, true);
    }

    private JsonNode json(HttpRequest.Builder request, boolean idempotent) {
        HttpResponse<String> r = send(request.timeout(jsonTimeout), HttpResponse.BodyHandlers.ofString(), null, idempotent);
        String body = r.body();
        return body == null || body.isBlank() ? Json.object() : Json.parse(body);
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder builder, HttpResponse.BodyHandler<T> handler, String what) {
        return send(builder, handler, what, true);
    }

    /**
     * Sends with retries when {@code idempotent}; otherwise once, plus retries of attempts that never
     * reached the server (connection refused), and an unclear failure is marked {@link MlflowException#unclear()}.
     */
    private <T> HttpResponse<T> send(HttpRequest.Builder builder, HttpResponse.BodyHandler<T> handler, String what, boolean idempotent) {
        HttpRequest request = builder.build();
        String label = what != null ? what : request.method() + " " + request.uri().getPath();
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<T> r = http.send(request, handler);
                if (r.statusCode() / 100 == 2) return r;
                String body = r.body() instanceof String s ? s : readQuietly(r.body());
                if (r.statusCode() >= 500 && idempotent && attempt < ATTEMPTS) {
                    backoff(attempt);
                    continue;
                }
                MlflowException e = error(r.statusCode(), body, label);
                throw r.statusCode() >= 500 ? e.markUnclear() : e;
            } catch (IOException e) {
                last = e;
                boolean neverSent = e instanceof ConnectException || e instanceof HttpConnectTimeoutException;
                if (!idempotent && !neverSent) {
                    throw MlflowException.unreachable(baseUrl, describe(e) + " after sending " + label + "; it may or may not have been done", e)
                            .markUnclear();
                }
                if (attempt < ATTEMPTS) backoff(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MlflowException(0, null, "interrupted while calling MLflow at " + baseUrl, e);
            }
        }
        throw MlflowException.unreachable(baseUrl, describe(last) + ", " + ATTEMPTS + " attempts", last);
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException) return "connection refused";
        if (e instanceof HttpTimeoutException) return "no answer within the timeout";
        return String.valueOf(e);
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
