package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.testing.LocalStackFixture;
import dev.treeline.scheduler.Controller;
import dev.treeline.scheduler.InProcessExecutor;
import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.ScheduleFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code treeline backfill} over 3 days of (generated) flights with a controller running the real
 * pipeline against MLflow and S3: 3 runs, 3 model versions; again with {@code --reprocess none}:
 * nothing new. Also the scheduler, runs and metrics surfaces on the result.
 */
class BackfillIntegrationTest {
    static final LocalDate START = LocalDate.of(2001, 5, 1);
    static final LocalDate FROM = START.plusDays(19);
    /** Enough dates for order, one version each and a rerun that adds nothing; each is a whole pipeline run. */
    static final int DAYS = 3;
    static final LocalDate TO = FROM.plusDays(DAYS - 1);

    @TempDir Path tmp;

    @Test
    void eachDateGivesARunAndAVersionAndARerunCreatesNothing() throws Exception {
        Path ws = tmp.resolve("ws");
        Environment env = LocalStackFixture.get().environment(ws);
        String model = "backfill-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 19 + DAYS, 300, 17);
        // Steps named otherwise than their types: the controller finds the version, metric and promotion by type.
        Path spec = TestPipelines.writeSpec(tmp.resolve("spec"), TestPipelines.publishingFlightsSpec(data, 14, model, "bf")
                .replace("- name: register\n", "- name: reg\n    type: register\n")
                .replace("- name: evaluate\n", "- name: holdout\n    type: evaluate\n")
                .replace("- name: promote\n", "- name: gate\n    type: promote\n"));
        Path file = tmp.resolve("schedule.yaml");
        Files.writeString(file, """
            controller:
              metrics_port: 0
            schedules:
              - name: nightly
                pipeline: %s
                cron: "0 30 2 * * ?"
                time_zone: America/New_York
            """.formatted(spec));
        ScheduleFile.Loaded config = ScheduleFile.loadAll(file, Map.of(), ws, k -> null);
        PipelineRunner runner = new PipelineRunner(env, Cli.tracking(env), TestSpark::session, line -> {});
        String[] common = {"--schedules", file.toString(), "--workspace", ws.toString()};
        List<String> lines = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (Controller controller = new Controller(config.settings(), config.schedules(), new InProcessExecutor(runner, TestSpark::session, Map.of()),
                lines::add)) {
            controller.start();
            CliTest.Result backfill = CliTest.run(concat(new String[] {"backfill", "nightly", "--from", FROM.toString(), "--to", TO.toString()}, common));
            assertEquals(0, backfill.code(), backfill.err());
            assertTrue(backfill.out().contains(DAYS + " run(s) queued, 0 date(s) left alone"), backfill.out());
            long deadline = System.currentTimeMillis() + 600_000;
            while (controller.runs().countByState("nightly").getOrDefault(RunRecord.SUCCEEDED, 0) + controller.runs().countByState("nightly")
                    .getOrDefault(RunRecord.FAILED, 0) < DAYS && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
            }
            assertEquals(Map.of(RunRecord.SUCCEEDED, DAYS), controller.runs().countByState("nightly"), String.join("\n", lines));

            CliTest.Result list = CliTest.run(concat(new String[] {"runs", "list", "--output", "json"}, common));
            JsonNode runs = Json.parse(list.out()).path("runs");
            assertEquals(DAYS, runs.size());
            System.out.println(CliTest.run(concat(new String[] {"runs", "list"}, common)).out()); // the report's table
            for (JsonNode r : runs) {
                assertEquals("succeeded", r.path("state").asText());
                assertTrue(r.path("model_version").asText().matches("[1-" + DAYS + "]"), r.toString());
            }
            try (MlflowConnection m = new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE)) {
                var versions = m.registry().versions(model);
                assertEquals(DAYS, versions.size(), "a model version per date");
                assertEquals(TO.toString(), versions.get(0).tags().get("treeline.logical_date"));
                assertEquals(FROM.toString(), versions.get(DAYS - 1).tags().get("treeline.logical_date"), "oldest first: version 1 is the first date");
            }

            CliTest.Result again = CliTest.run(concat(new String[] {"backfill", "nightly", "--from", FROM.toString(), "--to", TO.toString(),
                    "--reprocess", "none"}, common));
            assertTrue(again.out().contains("0 run(s) queued, " + DAYS + " date(s) left alone"), again.out());
            Thread.sleep(1_000);
            assertEquals(DAYS, controller.runs().list("nightly", null, 100).size(), "nothing new");

            HttpClient http = HttpClient.newHttpClient();
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.metrics().port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            System.out.println(metrics); // the report's scrape
            assertTrue(metrics.contains("treeline_runs{schedule=\"nightly\",state=\"succeeded\"} " + DAYS + ".0"), metrics);
            assertTrue(metrics.matches("(?s).*treeline_champion_metric\\{(metric=\"auc\",schedule=\"nightly\"|schedule=\"nightly\",metric=\"auc\")} 0\\.\\d+.*"),
                    metrics);
            assertTrue(metrics.matches("(?s).*treeline_step_duration_seconds_count\\{schedule=\"nightly\",step=\"train\"} " + DAYS + "(\\.0)?\n.*"), metrics);
            assertEquals("ok\n", http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.metrics().port() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());

            CliTest.Result status = CliTest.run(concat(new String[] {"scheduler", "status", "--output", "json"}, common));
            assertEquals("normal", Json.parse(status.out()).path("schedules").get(0).path("trigger").asText(), status.out());
            assertEquals(0, CliTest.run(concat(new String[] {"scheduler", "pause", "nightly"}, common)).code());
            assertEquals("paused", Json.parse(CliTest.run(concat(new String[] {"scheduler", "status", "--output", "json"}, common)).out())
                    .path("schedules").get(0).path("trigger").asText());
            assertEquals(0, CliTest.run(concat(new String[] {"scheduler", "resume", "nightly"}, common)).code());

            String first = runs.get(runs.size() - 1).path("run_id").asText();
            CliTest.Result show = CliTest.run(concat(new String[] {"runs", "show", first}, common));
            assertTrue(show.out().contains("succeeded (backfill, attempts 1") && show.out().contains("train") && show.out().contains("model version"),
                    show.out());
            CliTest.Result cancel = CliTest.run(concat(new String[] {"runs", "cancel", first}, common));
            assertEquals(1, cancel.code());
            assertTrue(cancel.err().contains("run " + first + " already succeeded"), cancel.err());
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
