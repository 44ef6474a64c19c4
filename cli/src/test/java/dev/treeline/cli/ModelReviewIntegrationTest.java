package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.s3.Manifest;
import dev.treeline.registry.s3.Routing;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.testing.LocalStackFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Review and deployment through the CLI against real MLflow and S3: a deliberately weak first model
 * (one stump) approved by hand, a good model that passes the gate, an A/B test that promotes it, a weak
 * model the gate blocks against it, rollback and verification. The steps build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelReviewIntegrationTest {
    static final LocalDate START = LocalDate.of(2001, 5, 1);
    static final LocalDate D1 = START.plusDays(16);
    static final LocalDate D2 = D1.plusDays(1);
    static final LocalDate D3 = D2.plusDays(1);
    static final String PREFIX = "review";

    @TempDir static Path tmp;
    static Environment env;
    static String model;
    static Path spec;
    static CliTest.Result weakFirst;
    static CliTest.Result good;
    static CliTest.Result weakLater;

    @BeforeAll
    static void runThreeNights() {
        env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        model = "review-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 19, 800, 31);
        spec = TestPipelines.writeSpec(tmp.resolve("spec"), TestPipelines.publishingFlightsSpec(data, 14, model, PREFIX));
        weakFirst = run(D1, "ROUNDS=1", "DEPTH=1");
    }

    static CliTest.Result run(LocalDate date, String... params) {
        List<String> args = new ArrayList<>(List.of("run", spec.toString(), "--date", date.toString(), "--workspace", env.workspace().toString(),
                "--mlflow-uri", env.mlflowUri(), "--param", "APPROVAL=manual"));
        for (String p : params) args.addAll(List.of("--param", p));
        return CliTest.run(args.toArray(String[]::new));
    }

    static CliTest.Result models(String... args) {
        List<String> all = new ArrayList<>(List.of("models"));
        all.addAll(List.of(args));
        all.addAll(List.of("--workspace", env.workspace().toString(), "--mlflow-uri", env.mlflowUri()));
        return CliTest.run(all.toArray(String[]::new));
    }

    static MlflowConnection mlflow() {
        return new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE);
    }

    static ModelRef version(String v) {
        try (MlflowConnection m = mlflow()) {
            return m.registry().version(model, v);
        }
    }

    static Map<String, String> aliases() {
        try (MlflowConnection m = mlflow()) {
            return m.registry().aliases(model);
        }
    }

    static <T> T s3(java.util.function.Function<S3Publisher, T> f) {
        try (S3Client s3 = S3Clients.create(env.s3())) {
            return f.apply(new S3Publisher(s3, LocalStack.DEFAULT_BUCKET, PREFIX, env.s3()));
        }
    }

    @Test
    @Order(1)
    void manualApprovalLeavesTheFirstVersionPendingUntilApprovedAndPromoted() {
        assertEquals(0, weakFirst.code(), weakFirst.err() + weakFirst.out());
        assertTrue(weakFirst.out().contains("champion stays unset (gate passed, PendingManualApproval)"), weakFirst.out());
        ModelRef v1 = version("1");
        assertEquals("passed", v1.tags().get("validation_status"));
        assertEquals("PendingManualApproval", v1.tags().get("approval_status"));
        assertNull(aliases().get("champion"));
        assertTrue(s3(p -> p.published(model, "1")).isPresent(), "a gate-passing version is published for review");
        assertTrue(s3(p -> p.pointer(model)).isEmpty(), "serving has no champion yet");

        CliTest.Result refused = models("promote", model, "1");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains(model + " version 1 is PendingManualApproval; approve it first: treeline models approve " + model + " 1"),
                refused.err());

        CliTest.Result approved = models("approve", model, "1", "--comment", "baseline stump, accepted for the test");
        assertEquals(0, approved.code(), approved.err());
        ModelRef after = version("1");
        assertEquals("Approved", after.tags().get("approval_status"));
        assertEquals("baseline stump, accepted for the test", after.tags().get("approval_comment"));
        assertEquals(System.getProperty("user.name"), after.tags().get("approval_by"));

        CliTest.Result promoted = models("promote", model, "1");
        assertEquals(0, promoted.code(), promoted.err());
        assertEquals("1", aliases().get("champion"));
        assertEquals("1", s3(p -> p.pointer(model)).orElseThrow().version());
    }

    @Test
    @Order(2)
    void theGatePassesABetterModelWithASignificantDifference() {
        good = run(D2);
        assertEquals(0, good.code(), good.err() + good.out());
        ModelRef v2 = version("2");
        assertEquals("passed", v2.tags().get("validation_status"), v2.tags().toString());
        assertTrue(v2.tags().get("validation_reasons").contains("95% CI of the difference [+"), v2.tags().get("validation_reasons"));
        assertEquals("PendingManualApproval", v2.tags().get("approval_status"));
        assertEquals("1", aliases().get("champion"), "manual approval: the champion does not move by itself");
        // Lineage and the comparison table on the version page.
        for (String tag : List.of("treeline.data_snapshot", "treeline.feature_snapshot", "treeline.git_commit", "treeline.logical_date", "treeline.holdout_auc")) {
            assertTrue(v2.tags().containsKey(tag), tag + " in " + v2.tags());
        }
        try (MlflowConnection m = mlflow()) {
            Map<String, String> lineage = dev.treeline.registry.review.VersionLineage.of(m, v2).lineage();
            for (String tag : List.of("treeline.spec_hash", "treeline.pipeline_run_id", "treeline.version.xgboost", "treeline.data.train_from")) {
                assertTrue(lineage.containsKey(tag), tag + " in the lineage of the version and its run: " + lineage);
                assertFalse(v2.tags().containsKey(tag), tag + " is on the run, not in the versions table");
            }
            String description = m.rest().get("model-versions/get", Map.of("name", model, "version", "2")).path("model_version")
                    .path("description").asText();
            assertTrue(description.contains("| metric | champion v1 | candidate | delta | 95% CI of delta |"), description);
            assertTrue(description.lines().anyMatch(l -> l.matches("\\| AUC \\| 0\\.\\d{5} \\| 0\\.\\d{5} \\| \\+0\\.\\d{5} \\| \\[\\+0\\.\\d{5}, \\+0\\.\\d{5}\\] \\|")),
                    description);
            assertTrue(description.contains("**Gate: passed**"), description);
        }
    }

    @Test
    @Order(4)
    void theGateBlocksAWorseModelBuiltOnPurpose() {
        weakLater = run(D3, "ROUNDS=1", "DEPTH=1");
        assertEquals(0, weakLater.code(), weakLater.err() + weakLater.out());
        ModelRef v3 = version("3");
        assertEquals("failed", v3.tags().get("validation_status"));
        assertTrue(v3.tags().get("validation_reasons").startsWith("FAILED holdout AUC "), v3.tags().get("validation_reasons"));
        assertEquals("Rejected", v3.tags().get("approval_status"));
        assertEquals("gate", v3.tags().get("approval_by"));
        assertEquals("2", aliases().get("champion"), "the good model stays champion");
        assertTrue(s3(p -> p.published(model, "3")).isEmpty(), "a version that failed the gate is never published");

        CliTest.Result approve = models("approve", model, "3");
        assertEquals(1, approve.code());
        assertTrue(approve.err().contains("cannot approve " + model + " version 3: its gate status is failed"), approve.err());
        CliTest.Result ab = models("ab", "start", model, "--challenger", "3", "--traffic", "10");
        assertEquals(1, ab.code());
        assertTrue(ab.err().contains("cannot promote " + model + " version 3: its gate status is failed"), ab.err());
    }

    @Test
    @Order(3)
    void anABTestRoutesTrafficThenPromotesTheChallenger() throws Exception {
        assertEquals(0, models("approve", model, "2", "--comment", "looks good").code());
        CliTest.Result start = models("ab", "start", model, "--challenger", "2", "--traffic", "10");
        assertEquals(0, start.code(), start.err());
        Routing r = s3(p -> p.routing(model)).orElseThrow();
        assertEquals(Routing.RUNNING, r.status());
        assertEquals(List.of("1:90", "2:10"), r.variants().stream().map(v -> v.version() + ":" + v.weight()).toList());
        assertEquals(s3(p -> p.published(model, "2")).orElseThrow().getValue(), r.variant("challenger").manifestSha256());
        assertTrue(version("2").tags().get("treeline.ab").endsWith(": challenger, 10% of traffic"));

        CliTest.Result status = models("ab", "status", model, "--output", "json");
        assertEquals(0, status.code());
        JsonNode json = Json.parse(status.out());
        assertEquals("running", json.path("status").asText());
        assertEquals(10, json.path("variants").get(1).path("weight").asInt());

        CliTest.Result promoteDuring = models("promote", model, "2");
        assertEquals(1, promoteDuring.code(), "no promotion around a running test");

        CliTest.Result stop = models("ab", "stop", model, "--promote", "--comment", "challenger wins");
        assertEquals(0, stop.code(), stop.err());
        Routing ended = s3(p -> p.routing(model)).orElseThrow();
        assertEquals(Routing.ENDED, ended.status());
        assertEquals("promoted", ended.outcome());
        assertEquals(List.of("2:100"), ended.variants().stream().map(v -> v.version() + ":" + v.weight()).toList());
        assertEquals(Map.of("champion", "2", "previous", "1", "challenger", "2"), aliases());
        assertEquals("2", s3(p -> p.pointer(model)).orElseThrow().version());
    }

    @Test
    @Order(5)
    void rollbackRestoresThePreviousChampionAndRepointsServing() {
        CliTest.Result rb = models("rollback", model, "--comment", "latency regression");
        assertEquals(0, rb.code(), rb.err());
        assertTrue(rb.out().contains("rolled back from version 2 to version 1"), rb.out());
        Map<String, String> aliases = aliases();
        assertEquals("1", aliases.get("champion"));
        assertFalse(aliases.containsKey("previous"));
        assertEquals("1", s3(p -> p.pointer(model)).orElseThrow().version());
        assertTrue(version("2").tags().containsKey("treeline.rolled_back_at"));
        CliTest.Result again = models("rollback", model);
        assertEquals(1, again.code());
        assertTrue(again.err().contains("has no alias 'previous' to roll back to (champion is version 1)"), again.err());
    }

    @Test
    @Order(6)
    void theAuditLogHasEveryDecisionLocallyAndInS3() throws Exception {
        List<String> local = Files.readAllLines(env.workspace().resolve("audit").resolve(model + ".jsonl"));
        List<String> actions = local.stream().map(l -> Json.parse(l).path("action").asText() + ":" + Json.parse(l).path("version").asText()).toList();
        for (String expected : List.of("gate_passed:1", "pending_manual_approval:1", "approved:1", "promoted:1", "gate_passed:2", "gate_failed:3",
                "rejected:3", "approved:2", "ab_started:2", "promoted:2", "ab_promoted:2", "rolled_back:1")) {
            assertTrue(actions.contains(expected), expected + " in " + actions);
        }
        assertTrue(actions.indexOf("approved:1") < actions.indexOf("promoted:1"));
        List<String> remote = s3(p -> p.audit(model));
        assertEquals(local.size(), remote.size(), "every local line has its S3 object");
        assertEquals(local, remote, "same events, same order");
        CliTest.Result show = models("show", model, "2", "--output", "json");
        assertEquals(0, show.code(), show.err());
        JsonNode v2 = Json.parse(show.out());
        assertEquals("Approved", v2.path("approval_status").asText());
        assertTrue(v2.path("audit").size() >= 4, v2.path("audit").toString());
        CliTest.Result list = models("list", model, "--output", "json");
        assertEquals(3, Json.parse(list.out()).path("versions").size());
    }

    @Test
    @Order(7)
    void mlflowPyfuncLoadsThePublishedVersionAndPredictsWhatTheRunComputed() throws Exception {
        Path dir = tmp.resolve("pyfunc-v2");
        assertEquals(List.of(), s3(p -> p.download(model, "2", dir)));
        // The pyfunc model's input is the feature vector: computed here with the saved feature pipeline.
        dev.treeline.training.bundle.ModelBundle bundle = dev.treeline.training.bundle.ModelBundle.at(dir);
        var sample = TestSpark.session().read().parquet(dir.resolve("scoring_sample").toString());
        List<org.apache.spark.sql.Row> rows = bundle.loadFeaturePipeline().transform(sample)
                .select(dev.treeline.features.build.FeaturePipelineFactory.FEATURES, "expected_score").collectAsList();
        StringBuilder csv = new StringBuilder(String.join(",", bundle.meta().featureNames()) + ",expected_score\n");
        for (org.apache.spark.sql.Row r : rows) {
            double[] v = ((org.apache.spark.ml.linalg.Vector) r.get(0)).toArray();
            for (double x : v) csv.append(Double.isNaN(x) ? "" : Double.toString(x)).append(',');
            csv.append(r.getDouble(1)).append('\n');
        }
        Path input = tmp.resolve("pyfunc-input.csv");
        Files.writeString(input, csv);
        String script = String.join("\n",
                "import sys, json, pandas as pd, mlflow.pyfunc",
                "m = mlflow.pyfunc.load_model(sys.argv[1])",
                "df = pd.read_csv(sys.argv[2])",
                "expected = df.pop('expected_score')",
                "pred = m.predict(df.astype('float64'))",
                "print(json.dumps({'rows': len(df), 'max_abs_diff': float(abs(pred - expected.values).max())}))");
        Path venv = new dev.treeline.registry.local.Installer(dev.treeline.pipelines.env.EnvironmentResolver.system().cacheDir(),
                dev.treeline.pipelines.run.Progress.to(System.out)).mlflowVenv();
        Process p = new ProcessBuilder(venv.resolve("bin/python").toString(), "-c", script, dir.toString(), input.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        JsonNode result = Json.parse(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
        assertEquals(rows.size(), result.path("rows").asInt());
        assertTrue(result.path("max_abs_diff").asDouble() <= 1e-6, "mlflow.pyfunc predicts what the run computed: " + out);
    }

    @Test
    @Order(8)
    void verifyPassesOnThePublishedVersionAndCatchesACorruptedObject() throws Exception {
        CliTest.Result ok = models("verify", model, "2");
        assertEquals(0, ok.code(), ok.err() + ok.out());
        assertTrue(ok.out().matches("(?s).*" + model + " version 2 at s3://treeline-models/review/" + model + "/2/: OK\n"
                + "  \\d+ files match manifest\\.json \\(size and sha256\\)\n"
                + "  booster and feature pipeline reload; \\d+ sample rows re-scored, max \\|diff\\| .*"), ok.out());
        Manifest m = s3(p -> p.published(model, "2")).orElseThrow().getKey();
        assertTrue(m.files().stream().anyMatch(f -> f.path().equals("MLmodel")), "the MLflow MLmodel file is published");
        assertTrue(m.files().stream().anyMatch(f -> f.path().equals("triton/" + model + "/config.pbtxt")));
        assertTrue(m.files().stream().anyMatch(f -> f.path().startsWith("scoring_sample/")));
        assertTrue(m.metrics().get("auc") > 0.6, m.metrics().toString());

        String key = PREFIX + "/" + model + "/2/model.json";
        try (S3Client s3 = S3Clients.create(env.s3())) {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(LocalStack.DEFAULT_BUCKET).key(key)).asByteArray();
            bytes[bytes.length / 2] ^= 1;
            s3.putObject(b -> b.bucket(LocalStack.DEFAULT_BUCKET).key(key), RequestBody.fromBytes(bytes));
        }
        CliTest.Result bad = models("verify", model, "2");
        assertEquals(1, bad.code());
        assertTrue(bad.out().contains("s3://treeline-models/" + key + ": "), bad.out());
        assertTrue(bad.out().contains("the manifest says"), bad.out());
        assertTrue(bad.err().contains("does not verify"), bad.err());
    }
}
