package dev.treeline.scheduler.alerts;

import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * POSTs each alert as JSON ({@link Alert#body()}: {@code text} for Slack-style incoming webhooks, the
 * fields for any other receiver). The URL is a secret (it carries the receiver's token): it comes from the
 * environment or a file and is never logged; errors name the host only.
 */
public final class WebhookChannel implements AlertChannel {
    private final URI url;
    private final Duration timeout;
    private final HttpClient http;

    public WebhookChannel(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public String describe() {
        return "webhook to " + url.getHost();
    }

    @Override
    public void send(Alert alert) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.canonical(alert.body()))).build();
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // The exception's message may carry the whole URL: only the host is named.
            throw new IOException("webhook to " + url.getHost() + " failed: " + e.getClass().getSimpleName());
        }
        if (r.statusCode() / 100 != 2) throw new IOException("webhook to " + url.getHost() + " answered HTTP " + r.statusCode());
    }
}
