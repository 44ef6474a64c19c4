package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.cli.cluster.TreelineJar;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStatus;
import dev.treeline.pipelines.run.RunStore;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The same pipeline spec on a real Spark standalone cluster (a master and three workers on loopback,
 * each a JVM that starts executor JVMs): submitted by {@code treeline run --master spark://…} in client
 * mode and by the controller in cluster deploy mode; a worker killed in the middle of a run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkClusterIT {
    static ClusterRuns runs;

    @BeforeAll
    static void runs() {
        runs = ClusterRuns.get();
    }

    static Map<String, Double> metrics(Environment env, String pipeline, LocalDate date) {
        try (MlflowConnection m = new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE)) {
            String exp = m.rest().get("experiments/get-by-name", Map.of("experiment_name", pipeline)).path("experiment").path("experiment_id").asText();
            for (JsonNode r : m.rest().post("runs/search", Map.of("experiment_ids", List.of(exp))).path("runs")) {
                Map<String, String> tags = new LinkedHashMap<>();
                r.path("data").path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
                if (!date.toString().equals(tags.get("treeline.logical_date"))) continue;
                Map<String, Double> out = new LinkedHashMap<>();
                r.path("data").path("metrics").forEach(x -> out.put(x.path("key").asText(), x.path("value").asDouble()));
                r.path("data").path("params").forEach(x -> out.put("param." + x.path("key").asText(), x.path("value").asText().matches("-?[0-9.]+")
                        ? Double.parseDouble(x.path("value").asText()) : Double.NaN));
                return out;
            }
        }
        throw new AssertionError("no MLflow run of " + pipeline + " for " + date);
    }

    @Test
    @Order(1)
    void theClusterTrainsTheSameModelAsALocalDriver() throws Exception {
        Map<String, Double> local = metrics(runs.localEnv, runs.localName, ClusterRuns.D2);
        Map<String, Double> cluster = metrics(runs.clusterEnv, runs.clusterName, ClusterRuns.D2);
        assertEquals(2.0, local.get("param.num_workers"));
        assertEquals(2.0, cluster.get("param.num_workers"));
        assertEquals(30.0, cluster.get("param.num_rounds"));
        for (String m : List.of("holdout_auc", "holdout_logloss", "holdout_brier")) {
            assertNotNull(local.get(m), m + " in " + local.keySet());
            assertEquals(local.get(m), cluster.get(m), 1e-4, m + ": local " + local.get(m) + ", cluster " + cluster.get(m));
        }
        // The application ran on the cluster's executors: two cores, one per XGBoost worker.
        JsonNode app = completedApp("treeline nightly " + ClusterRuns.D2);
        assertEquals(2, app.path("cores").asInt(), app.toString());
        assertEquals("FINISHED", app.path("state").asText());

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("date", ClusterRuns.D2.toString());
        report.put("local_master", "local[2]");
        report.put("local_seconds", runs.localRun.seconds());
        report.put("cluster_master", runs.cluster.masterUrl() + " (standalone, 3 workers x 1 core; executors 2 x 1 core)");
        report.put("cluster_deploy_mode_seconds", runs.controllerRunSeconds);
        report.put("holdout_auc_local", local.get("holdout_auc"));
        report.put("holdout_auc_cluster", cluster.get("holdout_auc"));
        Files.writeString(Path.of("target", "cluster-report.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        System.out.printf("%n| run | master | seconds | holdout AUC |%n| --- | --- | ---: | ---: |%n| %s local driver | local[2] | %.1f | %.6f |%n"
                        + "| %s controller, cluster deploy mode | %s | %.1f | %.6f |%n%n",
                ClusterRuns.D2, runs.localRun.seconds(), local.get("holdout_auc"), ClusterRuns.D2, runs.cluster.masterUrl(), runs.controllerRunSeconds,
                cluster.get("holdout_auc"));
    }

    @Test
    @Order(3)
    void theControllerSubmitsInClusterDeployModeWithTheDriverOnAWorker() {
        JsonNode drivers = runs.cluster.state().path("completeddrivers");
        assertEquals(1, drivers.size(), drivers.toString());
        assertEquals("FINISHED", drivers.get(0).path("state").asText(), drivers.toString());
        String log = TreelineJar.read(runs.controllerLog);
        assertTrue(log.contains(drivers.get(0).path("id").asText()), "spark-submit's log names the driver: " + log);
        RunState state = new RunStore(runs.clusterEnv.runsDir()).load(runs.clusterName, ClusterRuns.D2);
        assertEquals(RunStatus.SUCCEEDED, state.status);
        try (MlflowConnection m = new MlflowConnection(runs.clusterEnv.mlflowUri(), MlflowCredentials.NONE)) {
            var v2 = m.registry().version(runs.clusterName, "2");
            assertEquals(ClusterRuns.D2.toString(), v2.tags().get("treeline.logical_date"));
            assertEquals("passed", v2.tags().get("validation_status"), v2.tags().toString());
        }
        // What the controller learned from a run it did not run itself: the version, each step's row, the metrics.
        assertEquals("2", runs.controllerRecord.modelVersion(), runs.controllerRecord.toString());
        assertTrue(runs.controllerRecord.steps() != null && runs.controllerRecord.steps().contains("\"name\":\"train\"")
                && runs.controllerRecord.steps().contains("\"state\":\"succeeded\""), runs.controllerRecord.toString());
        String metrics = runs.controllerMetrics;
        assertTrue(metrics.matches("(?s).*treeline_step_duration_seconds_count\\{schedule=\"nightly\",step=\"train\"} 1(\\.0)?\n.*"), metrics);
        assertTrue(metrics.matches("(?s).*treeline_champion_metric\\{(metric=\"auc\",schedule=\"nightly\"|schedule=\"nightly\",metric=\"auc\")} 0\\.\\d+.*"),
                metrics);
    }

    @Test
    @Order(4)
    void aWorkerKilledWhileXGBoostTrainsIsRetriedFromTheCheckpointAndTheRunNeverHangs() throws Exception {
        ClusterRuns.KillRun kill = runs.killRun;
        TreelineJar.Result r = TreelineJar.await(kill.process, kill.log, kill.started, Duration.ofMinutes(8));
        String out = r.output();
        assertEquals(null, kill.watcherProblem, ClusterRuns.tail(out));
        // treeline run --master spark://... submitted in client mode, executors sized for the two XGBoost workers.
        assertTrue(out.contains("Submitting " + runs.clusterName + " " + ClusterRuns.D3 + " to " + runs.cluster.masterUrl()
                + " (client deploy mode, 2 executor(s) x 1 core(s) for 2 XGBoost worker(s))"), ClusterRuns.tail(out));
        assertTrue(out.contains("Lost executor"), "Spark saw the executor go (worker " + kill.killedWorkerPort + "):\n" + ClusterRuns.tail(out));
        assertTrue(out.contains("Lost task"), "a task of the running stage was lost with it:\n" + ClusterRuns.tail(out));
        if (r.code() == 0) {
            assertTrue(out.contains("[5/9] train: ok") && out.contains(runs.clusterName + " " + ClusterRuns.D3 + ": stopped after step train"),
                    ClusterRuns.tail(out));
            assertTrue(out.contains("spark-submit exit 0"), ClusterRuns.tail(out));
            assertTrue(out.contains("rounds 1-500 failed (") && out.contains("retry 1 of 2 from the checkpoint at round 0"),
                    "the lost segment was retried from its checkpoint:\n" + ClusterRuns.tail(out));
        } else {
            String error = out.lines().filter(l -> l.startsWith("error: ")).reduce((a, b) -> b).orElse("");
            assertTrue(error.startsWith("error: step 'train' failed: XGBoost failed on rounds"), "one clear line naming the step:\n" + ClusterRuns.tail(out));
            assertFalse(error.contains("/workspace/src"), "XGBoost's reasons, not its source positions: " + error);
            assertFalse(out.contains("\tat dev.treeline"), "no stack trace without --stacktrace");
        }
        JsonNode app = completedApp("treeline " + runs.clusterName + " " + ClusterRuns.D3);
        assertEquals(2, app.path("cores").asInt(), "the application kept two cores, on the spare worker: " + app);
        System.out.printf("worker on port %d killed while boosting: exit %d after %.1f s%n", kill.killedWorkerPort, r.code(), r.seconds());
    }

    static JsonNode completedApp(String name) {
        for (JsonNode a : runs.cluster.state().path("completedapps")) if (a.path("name").asText().equals(name)) return a;
        throw new AssertionError("no completed application named " + name + ": " + runs.cluster.state().path("completedapps"));
    }
}
