package dev.treeline.registry.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        MlflowException e = assertThrows(MlflowException.class, () -> rest.post("runs/create", Map.of("experiment_id", "1")));
        assertEquals(1, calls.get());
        assertTrue(e.is("INVALID_PARAMETER_VALUE"));
        assertTrue(e.getMessage().contains("refused POST /api/2.0/mlflow/runs/create: HTTP 400 INVALID_PARAMETER_VALUE: scripted 400"), e.getMessage());
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
}
