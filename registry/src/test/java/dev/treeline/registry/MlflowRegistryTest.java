package dev.treeline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.mlflow.MlflowException;
import dev.treeline.registry.mlflow.MlflowRegistry;
import dev.treeline.registry.mlflow.MlflowTracking;
import dev.treeline.registry.testing.FaultyProxy;
import dev.treeline.registry.testing.LocalStackFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the real MLflow server of the local stack. */
class MlflowRegistryTest {
    final LocalStackFixture stack = LocalStackFixture.get();
    final MlflowConnection mlflow = new MlflowConnection(stack.endpoints().mlflowUrl(), MlflowCredentials.NONE);
    @TempDir Path tmp;

    @Test
    void runArtifactsRoundTripThroughTheServerProxy() throws Exception {
        MlflowTracking tracking = new MlflowTracking(mlflow);
        Tracker run = tracking.start("reg-test-" + UUID.randomUUID(), "r", Map.of("k", "v"));
        Path dir = Files.createDirectories(tmp.resolve("bundle/sub"));
        Files.writeString(tmp.resolve("bundle/a.txt"), "alpha");
        Files.writeString(dir.resolve("b.bin"), "beta");
        Files.writeString(dir.resolve(".b.bin.crc"), "hadoop side file");
        run.logArtifacts(tmp.resolve("bundle"), "model");
        run.logMetrics(Map.of("m", 0.5));
        run.logMetricHistory("loss", new double[] {0.9, 0.7, 0.6});
        run.end(true);

        MlflowRegistry registry = mlflow.registry();
        String model = "reg-test-" + UUID.randomUUID();
        registry.ensureModel(model, "d");
        registry.ensureModel(model, "d"); // idempotent
        String runUri = mlflow.rest().get("runs/get", Map.of("run_id", run.runId())).path("run").path("info").path("artifact_uri").asText();
        ModelRef v1 = registry.createVersion(model, runUri + "/model", run.runId(), Map.of("treeline.x", "1"), "first");
        assertEquals("1", v1.version());
        assertEquals("1", v1.tags().get("treeline.x"));
        assertEquals(v1.version(), registry.versionOfRun(model, run.runId()).orElseThrow().version());

        registry.setAlias(model, "champion", "1");
        assertEquals(Map.of("champion", "1"), registry.aliases(model));
        Path got = tracking.download(registry.byAlias(model, "champion").orElseThrow(), tmp.resolve("down"));
        assertEquals("alpha", Files.readString(got.resolve("a.txt")));
        assertEquals("beta", Files.readString(got.resolve("sub/b.bin")));
        assertFalse(Files.exists(got.resolve("sub/.b.bin.crc")), "hidden Hadoop checksum files are not uploaded");
        assertTrue(registry.byAlias(model, "challenger").isEmpty());
        assertEquals(3, mlflow.rest().get("metrics/get-history", Map.of("run_id", run.runId(), "metric_key", "loss")).path("metrics").size());
    }

    @Test
    void a502AfterMLflowCommittedACreateMakesNoSecondVersionOrRun() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(stack.endpoints().mlflowUrl())
                .failAfterForwarding("/api/2.0/mlflow/runs/create", 1)
                .failAfterForwarding("/api/2.0/mlflow/model-versions/create", 1)) {
            MlflowConnection faulty = new MlflowConnection(proxy.url(), MlflowCredentials.NONE);
            String experiment = "reg-fault-" + UUID.randomUUID();
            Tracker run = new MlflowTracking(faulty).start(experiment, "r", Map.of());
            String experimentId = mlflow.rest().get("experiments/get-by-name", Map.of("experiment_name", experiment)).path("experiment")
                    .path("experiment_id").asText();
            assertEquals(1, mlflow.rest().post("runs/search", Map.of("experiment_ids", List.of(experimentId))).path("runs").size(),
                    "the run MLflow made before the 502 is the one used");
            assertEquals(1, proxy.count("/api/2.0/mlflow/runs/create"), "the create was not sent again");

            // Log-batch repeated (as a retry would) stores each metric point once.
            Map<String, Object> batch = Map.of("run_id", run.runId(), "metrics", List.of(Map.of("key", "m", "value", 0.5, "timestamp", 1000L, "step", 0)));
            faulty.rest().post("runs/log-batch", batch);
            faulty.rest().post("runs/log-batch", batch);
            assertEquals(1, mlflow.rest().get("metrics/get-history", Map.of("run_id", run.runId(), "metric_key", "m")).path("metrics").size());

            String model = "reg-fault-" + UUID.randomUUID();
            faulty.registry().ensureModel(model, "d");
            String runUri = mlflow.rest().get("runs/get", Map.of("run_id", run.runId())).path("run").path("info").path("artifact_uri").asText();
            ModelRef v = faulty.registry().createVersion(model, runUri + "/model", run.runId(), Map.of(), "d");
            assertEquals("1", v.version());
            assertEquals(1, mlflow.registry().versions(model).size(), "one version, though MLflow answered the create with 502");
            assertEquals(1, proxy.count("/api/2.0/mlflow/model-versions/create"));
        }
    }

    @Test
    void unreachableServerIsAServiceErrorNamingUrlAndFix() {
        MlflowConnection nowhere = new MlflowConnection("http://127.0.0.1:" + dev.treeline.registry.local.LocalStack.freePort(), MlflowCredentials.NONE);
        MlflowException e = assertThrows(MlflowException.class, () -> nowhere.registry().aliases("x"));
        assertEquals(ExitCode.SERVICE, e.exitCode());
        assertTrue(e.getMessage().startsWith("MLflow is not reachable at http://127.0.0.1:"), e.getMessage());
        assertTrue(e.getMessage().endsWith("start the local stack with 'treeline local up' or point MLFLOW_TRACKING_URI at your server"), e.getMessage());
    }

    @Test
    void credentialsNeverPrintTheirValues() {
        MlflowCredentials c = new MlflowCredentials(null, "alice", "s3cr3t-value");
        assertEquals("basic auth as alice", c.toString());
        assertFalse(new MlflowCredentials("tok-123", null, null).toString().contains("tok-123"));
    }
}
