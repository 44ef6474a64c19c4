package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.local.Installer;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.scheduler.Controller;
import dev.treeline.scheduler.RunExecutor;
import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.ScheduleFile;
import dev.treeline.scheduler.ScheduleSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts from a real controller (its H2 database, Quartz) to real receivers on loopback: an HTTP server taking
 * the webhook and an SMTP server (aiosmtpd, STARTTLS required, then AUTH) taking the e-mail. Runs are scripted
 * (the executor returns the outcome each test needs: a failure, a success, a monitor step's numbers) so that
 * each incident is driven on purpose; the numbers are what the monitor step reports (ScoringIntegrationTest).
 * Each incident must notify once on each channel when it opens, never again while it stays open, and once when
 * it resolves; no secret may appear in any message or log line.
 */
class AlertsIntegrationTest {
    static final String WEBHOOK_SECRET = "T0001-B0002-hooksecret-" + Long.toHexString(System.nanoTime());
    static final String SMTP_PASSWORD = "smtp-pw-" + Long.toHexString(System.nanoTime());
    static final LocalDate D = LocalDate.of(2001, 6, 1);

    @TempDir static Path tmp;
    static Process smtp;
    static HttpServer webhook;
    static final List<JsonNode> posts = Collections.synchronizedList(new ArrayList<>());
    static int smtpPort;
    static Path maildir;
    static Path caFile;

    @BeforeAll
    static void receivers() throws Exception {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hooks/" + WEBHOOK_SECRET, ex -> {
            try (InputStream in = ex.getRequestBody()) {
                posts.add(Json.MAPPER.readTree(in.readAllBytes()));
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        webhook.start();

        Path venv = new Installer(EnvironmentResolver.system().cacheDir(), Progress.to(System.out))
                .toolVenv("alert-receivers", "alert-receivers.txt", "aiosmtpd (the alert tests' SMTP server)");
        caFile = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Process ssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", caFile.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("openssl.log").toFile()).start();
        assertTrue(ssl.waitFor(60, TimeUnit.SECONDS) && ssl.exitValue() == 0, Files.readString(tmp.resolve("openssl.log")));
        Path script = tmp.resolve("smtp_receiver.py");
        try (InputStream in = AlertsIntegrationTest.class.getResourceAsStream("smtp_receiver.py")) {
            Files.write(script, in.readAllBytes());
        }
        maildir = Files.createDirectories(tmp.resolve("mail"));
        Path pw = Files.writeString(tmp.resolve("smtp-password"), SMTP_PASSWORD + "\n");
        smtpPort = LocalStack.freePort();
        smtp = new ProcessBuilder(venv.resolve("bin/python").toString(), script.toString(), "--port", Integer.toString(smtpPort), "--cert",
                caFile.toString(), "--key", key.toString(), "--user", "treeline", "--password-file", pw.toString(), "--maildir", maildir.toString())
                .redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(smtp.getInputStream(), StandardCharsets.UTF_8));
        String first = r.readLine();
        assertEquals("READY " + smtpPort, first, "the SMTP receiver starts");
    }

    @AfterAll
    static void stop() {
        if (webhook != null) webhook.stop(0);
        if (smtp != null) smtp.destroyForcibly();
    }

    /** Outcomes by schedule and date; anything else succeeds with no numbers. */
    static final Map<String, RunExecutor.Outcome> script = new ConcurrentHashMap<>();

    static RunExecutor.Outcome ok(Map<String, Double> numbers) {
        return new RunExecutor.Outcome(true, false, null, null, null, null, null, Map.of("a", 1.0), numbers);
    }

    static RunExecutor.Outcome failed(String error) {
        return new RunExecutor.Outcome(false, false, error, null, null, null, null, Map.of("a", 1.0), Map.of());
    }

    @Test
    void aFailureALateRunAndADecayEachNotifyOnceOnEachChannelThenOnceResolved() throws Exception {
        Path ws = tmp.resolve("ws");
        Path file = tmp.resolve("schedule.yaml");
        Files.writeString(file, """
            controller: {metrics_port: 0, checkin_interval_millis: 1000}
            alerts:
              gate_failed_nights: 2
              channels:
                - {type: webhook, url_env: TEST_ALERT_WEBHOOK_URL, timeout_seconds: 5}
                - type: email
                  smtp_host: 127.0.0.1
                  smtp_port: %d
                  user: treeline
                  password_env: TEST_SMTP_PASSWORD
                  from: treeline@example.com
                  to: [oncall@example.com, ml@example.com]
                  ca_file: %s
                  timeout_seconds: 5
            schedules:
              - {name: nightly, pipeline: p.yaml, cron: "0 0 3 1 1 ? 2099"}
              - {name: late, pipeline: p.yaml, cron: "0 0 3 1 1 ? 2099", success_deadline_seconds: 2}
              - {name: monitor, pipeline: p.yaml, cron: "0 0 3 1 1 ? 2099", retrain_schedule: nightly}
            """.formatted(smtpPort, caFile));
        Map<String, String> env = new HashMap<>();
        env.put("TEST_ALERT_WEBHOOK_URL", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hooks/" + WEBHOOK_SECRET);
        env.put("TEST_SMTP_PASSWORD", SMTP_PASSWORD);
        ScheduleFile.Loaded config = ScheduleFile.loadAll(file, Map.of(), ws, env::get);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        RunExecutor scripted = (schedule, run, stop) -> script.getOrDefault(schedule.name() + " " + run.logicalDate(), ok(Map.of()));
        try (Controller c = new Controller(config.settings(), config.schedules(), config.alerts(), scripted, log::add)) {
            c.start();
            ScheduleSpec nightly = config.schedule("nightly");
            ScheduleSpec monitor = config.schedule("monitor");

            // A failure, the same failure again the next night (still one incident), then a success.
            script.put("nightly " + D, failed("step 'train' failed: out of memory"));
            script.put("nightly " + D.plusDays(1), failed("step 'train' failed: out of memory"));
            c.queue(nightly, D, "manual", false, null, null);
            await(() -> count("run_failed:nightly", "firing") == 2, "the failure's webhook call and e-mail");
            c.queue(nightly, D.plusDays(1), "manual", false, null, null);
            await(() -> finished(c, "nightly", D.plusDays(1)), "the second failing run");
            c.queue(nightly, D.plusDays(2), "manual", false, null, null);
            await(() -> count("run_failed:nightly", "resolved") == 2, "the failure's resolution");

            // No success within 2 s of the schedule's last fire: late, once; then a run succeeds.
            c.runs().recordFire("late", Instant.now());
            await(() -> count("run_late:late", "firing") == 2, "the late run's webhook call and e-mail");
            Thread.sleep(6_000); // more checks pass: still late, no second notification
            c.queue(config.schedule("late"), D, "manual", false, null, null);
            await(() -> count("run_late:late", "resolved") == 2, "the late run's resolution");

            // The monitor step reports a decay (and asks for retraining), then a day within its rules. Its dates are its own, so the
            // retraining run it asks of nightly (the day after) is a date nightly has not run.
            LocalDate M = D.plusDays(10);
            script.put("monitor " + M, ok(Map.of("monitor.decayed", 1.0, "monitor.breaches", 1.0, "monitor.retrain", 1.0, "monitor.auc", 0.31,
                    "monitor.rows_labelled", 900.0)));
            script.put("monitor " + M.plusDays(1), ok(Map.of("monitor.breaches", 1.0, "monitor.auc", 0.33, "monitor.rows_labelled", 900.0)));
            script.put("monitor " + M.plusDays(2), ok(Map.of("monitor.breaches", 0.0, "monitor.auc", 0.78, "monitor.rows_labelled", 900.0)));
            c.queue(monitor, M, "manual", false, null, null);
            await(() -> count("model_decayed:monitor", "firing") == 2, "the decay's webhook call and e-mail");
            await(() -> c.runs().list("nightly", null, 100).stream().anyMatch(r -> r.logicalDate().equals(M.plusDays(1)) && r.kind().equals(Controller.RETRAIN_KIND)),
                    "a retraining run of nightly for the day after");
            c.queue(monitor, M.plusDays(1), "manual", false, null, null);
            await(() -> finished(c, "monitor", M.plusDays(1)), "the second decayed day");
            c.queue(monitor, M.plusDays(2), "manual", false, null, null);
            await(() -> count("model_decayed:monitor", "resolved") == 2, "the decay's resolution");
            String scrape = c.metrics().scrape();
            assertTrue(scrape.contains("treeline_alerts_total{kind=\"model_decayed\",status=\"firing\"} 1.0"), scrape);
            assertTrue(scrape.contains("treeline_model_realised_metric{metric=\"auc\",schedule=\"monitor\"} 0.78"), scrape);
            assertTrue(scrape.contains("treeline_model_decayed{schedule=\"monitor\"} 0.0"), scrape);
        }

        // Exactly one firing and one resolved message per incident and channel, nothing else.
        for (String incident : List.of("run_failed:nightly", "run_late:late", "model_decayed:monitor")) {
            assertEquals(List.of("firing", "resolved"), webhookStatuses(incident), incident + " on the webhook");
            assertEquals(List.of("firing", "resolved"), emailStatuses(incident), incident + " by e-mail");
        }
        JsonNode first = posts.get(0);
        assertEquals("run_failed:nightly", first.path("incident_key").asText());
        assertEquals("critical", first.path("severity").asText());
        assertTrue(first.path("text").asText().startsWith("[CRITICAL] FIRING run_failed:nightly: schedule nightly: run "), first.toString());
        List<String> mails = mails();
        assertTrue(mails.get(0).contains("Subject: [CRITICAL] FIRING run_failed:nightly: schedule nightly: run "), mails.get(0));
        assertTrue(mails.get(0).contains("To: oncall@example.com, ml@example.com"), mails.get(0));

        // No secret anywhere: messages, the controller's log, the workspace's files.
        List<String> everything = new ArrayList<>(log);
        posts.forEach(p -> everything.add(p.toString()));
        everything.addAll(mails);
        try (Stream<Path> files = Files.walk(ws)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) everything.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
        }
        for (String s : everything) {
            assertFalse(s.contains(WEBHOOK_SECRET), "the webhook URL's secret leaked: " + s);
            assertFalse(s.contains(SMTP_PASSWORD), "the SMTP password leaked: " + s);
        }
    }

    @Test
    void aScheduleFileWithASecretWrittenInItIsRefusedWithFileAndLine() throws Exception {
        Path file = tmp.resolve("bad.yaml");
        Files.writeString(file, """
            alerts:
              channels:
                - {type: webhook, url: "https://hooks.example.com/T0/B0/secret"}
            schedules:
              - {name: s, pipeline: p.yaml, cron: "0 0 3 * * ?"}
            """);
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.treeline.pipelines.spec.SpecException.class,
                () -> ScheduleFile.loadAll(file, Map.of(), tmp.resolve("ws2"), k -> null));
        assertTrue(e.getMessage().startsWith(file + ":3: alerts.channels[0].url: unknown key; expected one of: timeout_seconds, type, url_env, url_file"),
                e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    static boolean finished(Controller c, String schedule, LocalDate date) {
        return c.runs().forDate(schedule, date).stream().anyMatch(RunRecord::finished);
    }

    static long count(String incident, String status) {
        return webhookStatuses(incident).stream().filter(status::equals).count() + emailStatuses(incident).stream().filter(status::equals).count();
    }

    static List<String> webhookStatuses(String incident) {
        synchronized (posts) {
            return posts.stream().filter(p -> p.path("incident_key").asText().equals(incident)).map(p -> p.path("status").asText()).toList();
        }
    }

    static List<String> emailStatuses(String incident) {
        List<String> out = new ArrayList<>();
        for (String m : mails()) {
            if (m.contains("X-Treeline-Incident: " + incident + "\r\n") || m.contains("X-Treeline-Incident: " + incident + "\n")) {
                out.add(m.contains("X-Treeline-Status: resolved") ? "resolved" : "firing");
            }
        }
        return out;
    }

    static List<String> mails() {
        try (Stream<Path> files = Files.list(maildir)) {
            List<String> out = new ArrayList<>();
            // Long header lines are folded (RFC 5322): unfolded here, as a mail client shows them.
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".eml")).sorted().toList()) {
                out.add(Files.readString(f).replaceAll("\r?\n[ \t]+", " "));
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what + "; webhook: " + posts + "; mails: " + mails().size());
            Thread.sleep(200);
        }
    }
}
