package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.s3.ChampionPointer;
import dev.treeline.registry.s3.Manifest;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.testing.LocalStackFixture;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The whole pipeline, through the CLI, for two logical dates against a real MLflow server and a real
 * S3 API; asserts what MLflow and S3 hold afterwards.
 */
class PipelineIntegrationTest {
    static final LocalDate START = LocalDate.of(2001, 3, 1);
    static final LocalDate D1 = START.plusDays(20);
    static final LocalDate D2 = D1.plusDays(1);

    @TempDir static Path tmp;
    static LocalStackFixture stack;
    static Environment env;
    static String pipeline;
    static Path spec;
    static CliTest.Result first;
    static CliTest.Result second;

    @BeforeAll
    static void runTwoDates() {
        stack = LocalStackFixture.get();
        Path ws = tmp.resolve("ws");
        env = stack.environment(ws);
        pipeline = "it-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 23, 300, 21);
        String yaml = TestPipelines.publishingFlightsSpec(data, 14, pipeline, "it");
        spec = TestPipelines.writeSpec(tmp.resolve("spec"), yaml);
        first = run(D1);
        second = run(D2);
    }

    static CliTest.Result run(LocalDate date) {
        return CliTest.run("run", spec.toString(), "--date", date.toString(), "--workspace", env.workspace().toString(),
                "--mlflow-uri", env.mlflowUri());
    }

    MlflowConnection mlflow() {
        return new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE);
    }

    @Test
    void bothDatesSucceedAndEachStepReportsItsWork() {
        assertEquals(0, first.code(), first.err() + first.out());
        assertEquals(0, second.code(), second.err() + second.out());
        assertTrue(first.out().contains("[9/9] push: ok"), first.out());
        assertTrue(first.out().contains(pipeline + " " + D1 + ": succeeded"), first.out());
        assertTrue(second.out().contains("[1/9] ingest: ok") && second.out().contains("1 written, 300 rows in = 300 accepted + 0 rejected"),
                "the second night ingests one new day: " + second.out());
        assertTrue(second.out().contains("aggregates: ok") && second.out().contains("partials of 1 day(s), as-of values of 1 day(s) computed"),
                "the second night computes aggregates for its one new day only: " + second.out());
    }

    @Test
    void mlflowHasOneRunPerDateWithParamsMetricsAndTheModel() {
        try (MlflowConnection m = mlflow()) {
            JsonNode exp = m.rest().get("experiments/get-by-name", Map.of("experiment_name", pipeline)).path("experiment");
            JsonNode runs = m.rest().post("runs/search", Map.of("experiment_ids", List.of(exp.path("experiment_id").asText()))).path("runs");
            Map<String, JsonNode> byDate = new HashMap<>();
            int full = 0;
            for (JsonNode r : runs) {
                Map<String, String> tags = kv(r.path("data").path("tags"));
                String date = tags.get("treeline.logical_date");
                if (!date.equals(D1.toString()) && !date.equals(D2.toString())) continue; // the validate test's own run
                full++;
                byDate.put(date, r);
                assertEquals("FINISHED", r.path("info").path("status").asText());
                Map<String, String> params = kv(r.path("data").path("params"));
                assertEquals("30", params.get("num_rounds"));
                assertEquals(tags.get("treeline.logical_date"), params.get("logical_date"));
                Map<String, String> metrics = kv(r.path("data").path("metrics"));
                double auc = Double.parseDouble(metrics.get("holdout_auc"));
                assertTrue(auc > 0.6 && auc < 1.0, "holdout AUC " + auc);
                assertNotNull(metrics.get("holdout_logloss"));
                // The feature snapshot is identified by its content hash, and its row counts are on the run.
                assertTrue(params.get("feature_snapshot").matches("[0-9a-f]{16}"), params.toString());
                assertEquals(params.get("feature_snapshot"), tags.get("treeline.feature_snapshot"));
                assertEquals(300.0, Double.parseDouble(metrics.get("features_rows_holdout")));
                assertTrue(Double.parseDouble(metrics.get("features_rows_train")) > 1000, metrics.toString());
                JsonNode files = m.rest().get("artifacts/list", Map.of("run_id", r.path("info").path("run_id").asText(), "path", "model")).path("files");
                assertTrue(files.toString().contains("model/model.ubj") && files.toString().contains("model/feature_pipeline"), files.toString());
            }
            assertEquals(2, full, "one run per date");
            assertEquals(java.util.Set.of(D1.toString(), D2.toString()), byDate.keySet());
            assertTrue(kv(byDate.get(D2.toString()).path("data").path("metrics")).containsKey("champion_holdout_auc"),
                    "the second run compared against the champion");
            assertTrue(!kv(byDate.get(D1.toString()).path("data").path("metrics")).containsKey("champion_holdout_auc"),
                    "the first run had no champion");
        }
    }

    @Test
    void registryHasTwoVersionsWithLineageAndTheRightAliases() {
        try (MlflowConnection m = mlflow()) {
            var versions = m.registry().versions(pipeline);
            assertEquals(List.of("2", "1"), versions.stream().map(v -> v.version()).toList());
            var v2 = versions.get(0);
            assertEquals(D2.toString(), v2.tags().get("treeline.logical_date"));
            assertNotNull(v2.tags().get("treeline.git_commit"));
            // The rest of the lineage is on the version's run, so the registry's versions table stays readable.
            Map<String, String> lineage = dev.treeline.registry.review.VersionLineage.of(m, v2).lineage();
            assertEquals(D2.minusDays(17).toString(), lineage.get("treeline.data.train_from"));
            assertEquals(D2.toString(), lineage.get("treeline.data.holdout_to"));
            assertEquals(16, lineage.get("treeline.spec_hash").length());
            assertNotNull(lineage.get("treeline.pipeline_run_id"));
            for (String onRun : List.of("treeline.spec_hash", "treeline.data.train_from", "treeline.pipeline_run_id")) {
                assertFalse(v2.tags().containsKey(onRun), onRun + " is on the run, not the version: " + v2.tags().keySet());
            }

            Map<String, String> aliases = m.registry().aliases(pipeline);
            assertEquals("2", aliases.get("challenger"));
            // The gate in the spec: holdout AUC >= the champion's on the same day, and the paired 95% CI of the difference above zero.
            JsonNode run2 = m.rest().get("runs/get", Map.of("run_id", v2.runId())).path("run");
            Map<String, String> metrics = kv(run2.path("data").path("metrics"));
            double delta = Double.parseDouble(metrics.get("delta_holdout_auc"));
            assertEquals(Double.parseDouble(metrics.get("holdout_auc")) - Double.parseDouble(metrics.get("champion_holdout_auc")), delta, 1e-12);
            double low = Double.parseDouble(metrics.get("delta_holdout_auc_ci_low"));
            double high = Double.parseDouble(metrics.get("delta_holdout_auc_ci_high"));
            assertTrue(low <= delta && delta <= high, low + " <= " + delta + " <= " + high);
            boolean passes = delta >= 0 && low > 0;
            assertEquals(passes ? "passed" : "failed", v2.tags().get("validation_status"), v2.tags().get("validation_reasons"));
            assertEquals(passes ? "2" : "1", aliases.get("champion"));
            assertEquals(passes ? "promoted" : "not_promoted", v2.tags().get("treeline.promotion"));
            assertEquals(passes ? "Approved" : "Rejected", v2.tags().get("approval_status"));
            assertEquals("promoted", versions.get(1).tags().get("treeline.promotion"), "version 1 became champion: no champion before");
            assertEquals("policy:auto_when_gate_passes", versions.get(1).tags().get("approval_by"));
        }
    }

    @Test
    void s3HoldsTheChampionWithAManifestMatchingTheObjects() throws Exception {
        String champion;
        try (MlflowConnection m = mlflow()) {
            champion = m.registry().aliases(pipeline).get("champion");
        }
        try (S3Client s3 = S3Clients.create(env.s3())) {
            S3Publisher pub = new S3Publisher(s3, LocalStack.DEFAULT_BUCKET, "it", env.s3());
            ChampionPointer pointer = pub.pointer(pipeline).orElseThrow();
            assertEquals(champion, pointer.version());
            byte[] manifestBytes = pub.get(pointer.manifestKey());
            assertEquals(Hashing.sha256(manifestBytes), pointer.manifestSha256());
            Manifest manifest = Json.MAPPER.readValue(manifestBytes, Manifest.class);
            assertTrue(manifest.files().stream().anyMatch(f -> f.path().equals("model.ubj")));
            assertTrue(manifest.files().stream().anyMatch(f -> f.path().startsWith("feature_pipeline/stages/")));
            for (Manifest.FileEntry f : manifest.files()) {
                byte[] object = pub.get("it/" + pipeline + "/" + champion + "/" + f.path());
                assertEquals(f.sha256(), Hashing.sha256(object), f.path());
                assertEquals(f.size(), object.length, f.path());
            }
        }
    }

    @Test
    void mlflowRunHoldsTheValidationReportWithItsDriftTable() throws Exception {
        try (MlflowConnection m = mlflow()) {
            String runId = m.registry().versions(pipeline).get(0).runId();
            JsonNode files = m.rest().get("artifacts/list", Map.of("run_id", runId, "path", "validation")).path("files");
            assertTrue(files.toString().contains("validation/report.json") && files.toString().contains("validation/report.html"), files.toString());
            String artifactUri = m.rest().get("runs/get", Map.of("run_id", runId)).path("run").path("info").path("artifact_uri").asText();
            Path html = tmp.resolve("report.html");
            m.rest().getArtifact(dev.treeline.registry.mlflow.MlflowArtifacts.proxiedPath(artifactUri) + "/validation/report.html", html);
            String page = java.nio.file.Files.readString(html);
            assertTrue(page.contains("<h2 id=\"drift\">Drift</h2>"), page);
            assertTrue(page.contains("<td>origin</td><td>categorical</td>"), "the drift table lists origin");
            Map<String, String> tags = kv(m.rest().get("runs/get", Map.of("run_id", runId)).path("run").path("data").path("tags"));
            assertEquals("pass", tags.get("treeline.validation_status"), "the data validation's status");
            assertTrue(List.of("passed", "failed").contains(tags.get("treeline.gate_status")), "the gate's, under its own name: " + tags);
        }
    }

    @Test
    void validateCommandChecksANewDateAndSummarisesTheReport() {
        LocalDate d3 = D2.plusDays(1);
        CliTest.Result r = CliTest.run("validate", spec.toString(), "--date", d3.toString(), "--workspace", env.workspace().toString(),
                "--mlflow-uri", env.mlflowUri());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("flights " + d3 + ": PASS · 300 rows checked = 300 accepted + 0 rejected"), r.out());
        assertTrue(r.out().contains("drift (PSI, baseline "), r.out());
        assertTrue(r.out().contains("[2/9] validate: ok"), r.out());
        assertTrue(!r.out().contains("[3/9]"), "validate stops before features: " + r.out());
    }

    @Test
    void rerunningADateThatSucceededCreatesNothing() {
        CliTest.Result again = run(D1);
        assertEquals(0, again.code());
        assertTrue(again.out().contains(pipeline + " " + D1 + ": already succeeded"), again.out());
        try (MlflowConnection m = mlflow()) {
            assertEquals(2, m.registry().versions(pipeline).size());
        }
    }

    static Map<String, String> kv(JsonNode list) {
        Map<String, String> out = new HashMap<>();
        list.forEach(e -> out.put(e.path("key").asText(), e.path("value").asText()));
        return out;
    }
}
