package dev.treeline.registry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of a real server (MLflow) that injects faults by path: for the first N requests
 * to a path it forwards the request (so the server does the work) and then answers 502 instead of the
 * server's answer — the "error after commit" a load balancer produces when the backend is slow.
 */
public final class FaultyProxy implements AutoCloseable {
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final Map<String, AtomicInteger> failAfterForwarding = new ConcurrentHashMap<>();
    public final List<String> requests = new CopyOnWriteArrayList<>();

    public FaultyProxy(String upstream) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> forward(upstream, ex));
        server.start();
    }

    /** The next {@code times} requests to {@code path} reach the server, then the client gets a 502. */
    public FaultyProxy failAfterForwarding(String path, int times) {
        failAfterForwarding.put(path, new AtomicInteger(times));
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public long count(String path) {
        return requests.stream().filter(r -> r.endsWith(" " + path)).count();
    }

    private void forward(String upstream, HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        requests.add(ex.getRequestMethod() + " " + path);
        byte[] body = ex.getRequestBody().readAllBytes();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()))
                .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null) b.header("Content-Type", type);
        try {
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            AtomicInteger left = failAfterForwarding.get(path);
            if (left != null && left.getAndDecrement() > 0) {
                byte[] bad = "<html>502 Bad Gateway</html>".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(502, bad.length);
                ex.getResponseBody().write(bad);
            } else {
                r.headers().firstValue("Content-Type").ifPresent(t -> ex.getResponseHeaders().set("Content-Type", t));
                ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                if (r.body().length > 0) ex.getResponseBody().write(r.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.sendResponseHeaders(500, -1);
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
