package dev.treeline.scheduler;

import com.sun.net.httpserver.HttpServer;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.step.StepTypeNames;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The controller's Prometheus metrics (the Prometheus Java client's registry and text format) on
 * {@code /metrics}, and {@code /healthz} for liveness: runs by schedule and state and the last success
 * per schedule (read from the runs table at each scrape, so every controller of a cluster reports the
 * same), step durations, retries, and the champion's headline metric after each successful run.
 */
public final class ControllerMetrics implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram stepSeconds;
    private final Counter retries;
    private final Counter attempts;
    private final Gauge champion;
    private final Histogram runSeconds;
    private final Counter gate;
    private final Gauge realised;
    private final Gauge psi;
    private final Gauge decayed;
    private final Counter alerts;
    private final Counter alertFailures;
    private HttpServer server;

    ControllerMetrics(RunsTable runs, Set<String> schedules) {
        GaugeWithCallback.builder().name("treeline_runs").help("Runs in the runs table by schedule and state").labelNames("schedule", "state")
                .callback(cb -> {
                    for (String s : schedules) {
                        Map<String, Integer> counts = runs.countByState(s);
                        for (String state : RunRecord.STATES) {
                            cb.call(counts.getOrDefault(state, 0), s, state);
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("treeline_run_last_success_timestamp_seconds").help("When the schedule's last successful run ended (Unix time)")
                .labelNames("schedule").callback(cb -> {
                    for (String s : schedules) runs.lastSuccess(s).ifPresent(t -> cb.call(t.toEpochMilli() / 1000.0, s));
                }).register(registry);
        stepSeconds = Histogram.builder().name("treeline_step_duration_seconds").help("Duration of pipeline steps run by this controller")
                .labelNames("schedule", "step").classicUpperBounds(1, 5, 15, 60, 300, 900, 3600, 14_400).register(registry);
        retries = Counter.builder().name("treeline_run_retries_total").help("Attempts after the first, by schedule").labelNames("schedule").register(registry);
        attempts = Counter.builder().name("treeline_run_attempts_total").help("Attempts by schedule and outcome").labelNames("schedule", "outcome")
                .register(registry);
        champion = Gauge.builder().name("treeline_champion_metric").help("The champion's headline holdout metric after the last successful run")
                .labelNames("schedule", "metric").register(registry);
        runSeconds = Histogram.builder().name("treeline_run_duration_seconds").help("Duration of run attempts (the sum of their steps) by outcome")
                .labelNames("schedule", "outcome").classicUpperBounds(60, 300, 900, 1800, 3600, 7200, 14_400, 28_800).register(registry);
        gate = Counter.builder().name("treeline_gate_decisions_total").help("Gate decisions of the promote step: promoted, passed (not promoted) or failed")
                .labelNames("schedule", "decision").register(registry);
        realised = Gauge.builder().name("treeline_model_realised_metric").help("The served model's realised metric on the last day the monitor step judged")
                .labelNames("schedule", "metric").register(registry);
        psi = Gauge.builder().name("treeline_model_psi").help("Drift the monitor step measured on its last day: the largest feature PSI, and the score PSI")
                .labelNames("schedule", "kind").register(registry);
        decayed = Gauge.builder().name("treeline_model_decayed").help("1 when the monitor step's last day breached a decay rule, else 0")
                .labelNames("schedule").register(registry);
        alerts = Counter.builder().name("treeline_alerts_total").help("Alert notifications by kind and status (firing, resolved)")
                .labelNames("kind", "status").register(registry);
        alertFailures = Counter.builder().name("treeline_alert_delivery_failures_total").help("Alert notifications some channel did not take")
                .labelNames("kind").register(registry);
    }

    /** Controllers by heartbeat: {@code alive}, or {@code silent} (past the expiry, seen as down by the others). */
    void watchControllers(RunsTable runs, Supplier<java.time.Duration> expiry) {
        GaugeWithCallback.builder().name("treeline_controllers").help("Controllers in the database by heartbeat state (alive or silent)")
                .labelNames("state").callback(cb -> {
                    int alive = 0;
                    int silent = 0;
                    for (java.time.Duration d : runs.silences().values()) {
                        if (d.compareTo(expiry.get()) <= 0) alive++;
                        else silent++;
                    }
                    cb.call(alive, "alive");
                    cb.call(silent, "silent");
                }).register(registry);
    }

    void recordAlert(dev.treeline.scheduler.alerts.Alert a, boolean delivered) {
        alerts.labelValues(a.kind(), a.status().label()).inc();
        if (!delivered) alertFailures.labelValues(a.kind()).inc();
    }

    void recordAttempt(String schedule, RunExecutor.Outcome o, boolean retry) {
        o.stepSeconds().forEach((step, s) -> stepSeconds.labelValues(schedule, step).observe(s));
        if (retry) retries.labelValues(schedule).inc();
        String outcome = o.succeeded() ? "succeeded" : o.cancelled() ? "stopped" : "failed";
        attempts.labelValues(schedule, outcome).inc();
        if (!o.stepSeconds().isEmpty()) runSeconds.labelValues(schedule, outcome).observe(o.stepSeconds().values().stream().mapToDouble(Double::doubleValue).sum());
    }

    /** The champion after the run: the candidate's metric when promoted, else the champion's as measured on the same holdout. */
    void recordSuccess(String schedule, RunExecutor.Outcome o) {
        Map<String, Double> n = o.numbers();
        Double passed = n.get(StepTypeNames.PROMOTE + ".gate_passed");
        if (passed != null) {
            boolean promoted = n.getOrDefault(StepTypeNames.PROMOTE + ".promoted", 0.0) > 0;
            gate.labelValues(schedule, promoted ? "promoted" : passed > 0 ? "passed" : "failed").inc();
        }
        String m = StepTypeNames.MONITOR + ".";
        for (String metric : List.of("auc", "logloss", "calibration_error", "positive_rate", "rmse", "mae")) {
            Double v = n.get(m + metric);
            if (v != null && !v.isNaN()) realised.labelValues(schedule, metric).set(v);
        }
        if (n.get(m + "feature_psi_max") != null) psi.labelValues(schedule, "feature_max").set(n.get(m + "feature_psi_max"));
        if (n.get(m + "score_psi") != null) psi.labelValues(schedule, "score").set(n.get(m + "score_psi"));
        if (n.containsKey(m + "breaches")) decayed.labelValues(schedule).set(n.get(m + "breaches") > 0 ? 1 : 0);
        recordChampion(schedule, n);
    }

    private void recordChampion(String schedule, Map<String, Double> n) {
        for (String metric : List.of("auc", "rmse", "mlogloss")) {
            String evaluate = StepTypeNames.EVALUATE + ".";
            Double cand = n.get(evaluate + "holdout_" + metric);
            if (cand == null) continue;
            boolean promoted = n.getOrDefault(StepTypeNames.PROMOTE + ".promoted", 0.0) > 0;
            Double value = promoted ? cand : n.getOrDefault(evaluate + "champion_holdout_" + metric, cand);
            champion.labelValues(schedule, metric).set(value);
            return;
        }
    }

    /** The text exposition, as a scrape sees it. */
    public String scrape() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Serves the metrics and {@code /healthz}: 200 "ok" while {@code problem} gives null, else 503 with the
     * problem (the database unreachable, the scheduler not running), for a load balancer or orchestrator.
     */
    void start(String host, int port, Supplier<String> problem) {
        if (port < 0) return; // metrics off
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new TreelineException(ExitCode.USAGE, "cannot serve metrics on " + host + ":" + port
                    + " (" + e.getMessage() + "); set controller.metrics_port to a free port", e);
        }
        server.createContext("/metrics", ex -> {
            byte[] body;
            try {
                body = scrape().getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                body = ("# scrape failed: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().add("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.createContext("/healthz", ex -> {
            String p;
            try {
                p = problem.get();
            } catch (RuntimeException e) {
                p = "health check failed: " + e.getMessage();
            }
            byte[] body = (p == null ? "ok\n" : p + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(p == null ? 200 : 503, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "treeline-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (server != null) server.stop(0);
    }
}
