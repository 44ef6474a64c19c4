package dev.treeline.registry.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.treeline.pipelines.util.Json;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's retry rules against a scripted HTTP server (the behaviour of a real MLflow server is
 * covered by the integration tests): 5xx and dropped connections are retried with backoff, 4xx is not,
 * and the Authorization header is sent but never appears in an error.
 */
class MlflowRestRetryTest {
    HttpServer server;
    final AtomicInteger calls = new AtomicInteger();
    final List<String> authHeaders = new ArrayList<>();

    String serve(int... statuses) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            int n = calls.getAndIncrement();
            authHeaders.add(ex.getRequestHeaders().getFirst("Authorization"));
            int status = statuses[Math.min(n, statuses.length - 1)];
            byte[] body = (status == 200 ? "{\"ok\":true}" : "{\"error_code\":\"" + (status >= 500 ? "TEMPORARILY_UNAVAILABLE" : "INVALID_PARAMETER_VALUE")
                    + "\",\"message\":\"scripted " + status + "\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void serverErrorsAreRetriedUntilTheCallSucceeds() throws Exception {
        MlflowRest rest = new MlflowRest(serve(503, 502, 200), new MlflowCredentials("tok-secret", null, null));
        assertTrue(rest.get("experiments/search", Map.of()).path("ok").asBoolean());
        assertEquals(3, calls.get());
        assertEquals(List.of("Bearer tok-secret", "Bearer tok-secret", "Bearer tok-secret"), authHeaders);
    }

    @Test
    void clientErrorsAreNotRetriedAndNameMlflowsErrorCode() throws Exception {
        MlflowRest rest = new MlflowRest(serve(400), new MlflowCredentials(null, "u", "pw-secret"));
        MlflowException e = assertThrows(MlflowException.class, () -> rest.post("runs/update", Map.of("run_id", "1")));
        assertEquals(1, calls.get());
        assertTrue(e.is("INVALID_PARAMETER_VALUE"));
        assertTrue(e.getMessage().contains("refused POST /api/2.0/mlflow/runs/update: HTTP 400 INVALID_PARAMETER_VALUE: scripted 400"), e.getMessage());
    }

    @Test
    void persistentServerErrorsGiveUpAfterFourAttemptsWithoutShowingSecrets() throws Exception {
        MlflowRest rest = new MlflowRest(serve(500), new MlflowCredentials(null, "u", "pw-secret"));
        MlflowException e = assertThrows(MlflowException.class, () -> rest.get("runs/get", Map.of("run_id", "x")));
        assertEquals(4, calls.get());
        assertEquals(500, e.status());
        assertFalse(e.getMessage().contains("pw-secret"));
    }

    @Test
    void aServerThatIsNotThereIsRetriedThenNamed() {
        MlflowRest rest = new MlflowRest("http://127.0.0.1:1", MlflowCredentials.NONE);
        MlflowException e = assertThrows(MlflowException.class, () -> rest.get("experiments/search", Map.of()));
        assertTrue(e.getMessage().startsWith("MLflow is not reachable at http://127.0.0.1:1 (connection refused, 4 attempts)"), e.getMessage());
    }

    @Test
    void aCreateAnsweredWithA5xxIsLookedUpAndNotSentAgainWhenItWasMade() throws Exception {
        MlflowRest rest = new MlflowRest(serve(502, 200), MlflowCredentials.NONE);
        AtomicInteger lookups = new AtomicInteger();
        JsonNode made = Json.parse("{\"model_version\":{\"version\":\"7\"}}");
        JsonNode got = rest.create("model-versions/create", Map.of("name", "m"), () -> {
            lookups.incrementAndGet();
            return Optional.of(made);
        });
        assertEquals("7", got.path("model_version").path("version").asText());
        assertEquals(1, calls.get(), "the create went once; the lookup found what it made");
        assertEquals(1, lookups.get());
    }

    @Test
    void aCreateThatWasNotMadeIsSentAgainAfterTheLookup() throws Exception {
        MlflowRest rest = new MlflowRest(serve(503, 200), MlflowCredentials.NONE);
        AtomicInteger lookups = new AtomicInteger();
        JsonNode got = rest.create("runs/create", Map.of("experiment_id", "1"), () -> {
            lookups.incrementAndGet();
            return Optional.empty();
        });
        assertTrue(got.path("ok").asBoolean());
        assertEquals(2, calls.get());
        assertEquals(1, lookups.get());
        assertThrows(IllegalArgumentException.class, () -> rest.post("runs/create", Map.of()), "creates cannot go through post()");
    }

    @Test
    void aCreateRefusedWith4xxGoesStraightToTheCaller() throws Exception {
        MlflowRest rest = new MlflowRest(serve(400), MlflowCredentials.NONE);
        MlflowException e = assertThrows(MlflowException.class, () -> rest.create("experiments/create", Map.of("name", "x"), Optional::empty));
        assertEquals(1, calls.get());
        assertFalse(e.unclear());
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersTimesOut() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", ex -> {
            calls.incrementAndGet();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.start();
        MlflowRest rest = new MlflowRest("http://127.0.0.1:" + server.getAddress().getPort(), MlflowCredentials.NONE, Duration.ofMillis(300));
        MlflowException read = assertThrows(MlflowException.class, () -> rest.get("runs/get", Map.of("run_id", "x")));
        assertTrue(read.getMessage().contains("(no answer within the timeout, 4 attempts)"), read.getMessage());
        assertEquals(4, calls.get(), "a read is retried");
        calls.set(0);
        MlflowException create = assertThrows(MlflowException.class, () -> rest.create("runs/create", Map.of(), Optional::empty));
        assertTrue(create.unclear());
        assertTrue(create.getMessage().contains("no answer within the timeout after sending POST /api/2.0/mlflow/runs/create; it may or may not have been done"),
                create.getMessage());
        assertEquals(4, calls.get(), "each try of the create came after a lookup found nothing");
    }
}
