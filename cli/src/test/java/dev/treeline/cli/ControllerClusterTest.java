package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.testing.LocalStackFixture;
import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.ScheduleFile;
import dev.treeline.scheduler.SchedulerAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Controllers as separate processes on one real PostgreSQL database: two share a schedule and each
 * fire runs once; a controller killed with SIGKILL in the middle of training has its run recovered by
 * the other, which resumes it, and the date gets exactly one model version.
 */
class ControllerClusterTest {
    @TempDir Path tmp;
    final ControllerProcesses controllers = new ControllerProcesses();

    Path scheduleFile(String name, String schedules) throws Exception {
        return ControllerProcesses.scheduleFile(tmp, name, 4, schedules);
    }

    Process controller(Path file, Path workspace, String mlflowUri, List<String> out) throws Exception {
        return controllers.start(file, workspace, mlflowUri, out);
    }

    static void await(java.util.function.BooleanSupplier done, long millis, String what) throws InterruptedException {
        ControllerProcesses.await(done, millis, what);
    }

    /** Every test's controllers are stopped, also when it fails: a leaked controller would join the next test's cluster. */
    @org.junit.jupiter.api.AfterEach
    void stopAll() throws InterruptedException {
        controllers.close();
    }

    @Test
    void twoControllersShareASecondlyScheduleAndEachFireRunsOnce() throws Exception {
        String id = "pulse-" + UUID.randomUUID().toString().substring(0, 6);
        Path log = tmp.resolve("executions.log");
        TestPipelines.writeSpec(tmp.resolve("pulse"), """
            pipeline: %s
            steps:
              - {name: a, type: count, outputs: [x], params: {id: %s, log: %s}}
            """.formatted(id, id, log));
        Path file = scheduleFile("pulse", """
              - name: %s
                pipeline: %s
                cron: "*/2 * * * * ?"
                logical_date: {rehearsal_seconds_per_day: 2, rehearsal_start: 2001-01-01}
            """.formatted(id, tmp.resolve("pulse/pipeline.yaml")));
        Path ws = tmp.resolve("ws");
        String mlflow = LocalStackFixture.get().environment(ws).mlflowUri();
        List<String> outA = Collections.synchronizedList(new ArrayList<>());
        List<String> outB = Collections.synchronizedList(new ArrayList<>());
        controller(file, ws, mlflow, outA);
        controller(file, ws, mlflow, outB);
        ScheduleFile.Loaded config = ScheduleFile.loadAll(file, Map.of(), ws, k -> null);
        try (SchedulerAdmin admin = new SchedulerAdmin(config)) {
            await(() -> admin.runs().countByState(id).getOrDefault(RunRecord.SUCCEEDED, 0) >= 8, 120_000, "8 fires: " + outA + outB);
            List<Map<String, Object>> alive = admin.instances().stream().filter(i -> (Boolean) i.get("alive")).toList();
            assertEquals(2, alive.size(), "both controllers are checked in to the cluster: " + admin.instances() + "\nA: " + outA + "\nB: " + outB);
            stopAll();
            List<RunRecord> runs = admin.runs().list(id, null, 1000);
            Map<LocalDate, Long> perDate = runs.stream().collect(Collectors.groupingBy(RunRecord::logicalDate, Collectors.counting()));
            assertTrue(perDate.values().stream().allMatch(n -> n == 1), "one run per logical date: " + perDate);
            Map<String, Long> executions = Files.readAllLines(log).stream().collect(Collectors.groupingBy(l -> l.split(" ")[1], Collectors.counting()));
            assertTrue(executions.values().stream().allMatch(n -> n == 1), "each date's step ran once across both controllers: " + executions);
        }
    }

    @Test
    void aControllerKilledWhileTrainingHasItsRunRecoveredByTheOtherWithOneModelVersion() throws Exception {
        LocalStackFixture stack = LocalStackFixture.get();
        Path ws = tmp.resolve("ws-kill");
        Environment env = stack.environment(ws);
        String model = "sched-" + UUID.randomUUID().toString().substring(0, 8);
        LocalDate start = LocalDate.of(2001, 4, 1);
        LocalDate date = start.plusDays(16);
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), start, 17, 300, 9);
        Path spec = TestPipelines.writeSpec(tmp.resolve("flights"), TestPipelines.publishingFlightsSpec(data, 14, model, "sched"));
        Path file = scheduleFile("kill", """
              - name: %s
                pipeline: %s
                cron: "0 0 3 1 1 ? 2099"
                retries: {attempts: 3, backoff_seconds: 1}
            """.formatted(model, spec));
        List<String> outA = Collections.synchronizedList(new ArrayList<>());
        Process a = controller(file, ws, env.mlflowUri(), outA);
        ScheduleFile.Loaded config = ScheduleFile.loadAll(file, Map.of(), ws, k -> null);
        try (SchedulerAdmin admin = new SchedulerAdmin(config)) {
            await(() -> outA.stream().anyMatch(l -> l.startsWith("controller ") && l.contains(" started on ")), 60_000, "controller A: " + outA);
            RunRecord run = admin.trigger(model, date);
            dev.treeline.pipelines.run.RunStore store = new dev.treeline.pipelines.run.RunStore(env.runsDir());
            await(() -> {
                dev.treeline.pipelines.run.RunState st = store.load(model, date);
                return st != null && st.step("train") != null && st.step("train").status == dev.treeline.pipelines.run.RunStatus.RUNNING;
            }, 180_000, "training on A: " + outA);
            a.destroyForcibly(); // SIGKILL mid-training
            assertTrue(a.waitFor(30, TimeUnit.SECONDS));
            assertEquals(RunRecord.RUNNING, admin.runs().get(run.runId()).orElseThrow().state(), "A died holding the run");

            List<String> outB = Collections.synchronizedList(new ArrayList<>());
            controller(file, ws, env.mlflowUri(), outB);
            await(() -> admin.runs().get(run.runId()).map(RunRecord::finished).orElse(false), 240_000, "recovery on B: " + outB);
            stopAll();
            RunRecord done = admin.runs().get(run.runId()).orElseThrow();
            assertEquals(RunRecord.SUCCEEDED, done.state(), done.error() + "\n" + outB);
            assertEquals(2, done.attempts(), "the attempt killed on A, and B's");
            assertTrue(outB.stream().anyMatch(l -> l.contains("recovered from a controller that stopped")), outB.toString());
            assertTrue(outB.stream().anyMatch(l -> l.contains("[4/9] features: done earlier in this run, skipped")), "B resumed: " + outB);
            assertEquals(1, admin.runs().forDate(model, date).size(), "one run for the date");
            try (MlflowConnection m = new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE)) {
                var versions = m.registry().versions(model);
                assertEquals(1, versions.size(), "exactly one model version for the date");
                assertEquals(date.toString(), versions.get(0).tags().get("treeline.logical_date"));
                assertEquals(done.modelVersion(), versions.get(0).version());
            }
        } finally {
            stopAll();
        }
    }
}
