package dev.treeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.spec.SpecException;
import dev.treeline.pipelines.testing.CountingStepType;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller on its embedded H2 job store, in this JVM: fires, retries, deadlines, backfill,
 * misfire policies, doctor and metrics. (PostgreSQL, two controllers and SIGKILL recovery are in the
 * CLI module's ControllerClusterTest, which runs controllers as processes.)
 */
class ControllerTest {
    // Not final: ControllerPostgresTest runs every test again on a real PostgreSQL.
    @TempDir Path tmp;
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    Path pipeline(String id, String extraParams) throws Exception {
        Path dir = tmp.resolve("spec-" + id);
        TestPipelines.writeSpec(dir, """
            pipeline: p-%s
            steps:
              - {name: a, type: count, outputs: [x], params: {id: %s, log: %s%s}}
            """.formatted(id, id + "-" + tmp.getFileName(), tmp.resolve(id + ".log"), extraParams)); // step ids count per JVM: unique per test
        return dir.resolve("pipeline.yaml");
    }

    /** Extra {@code controller:} keys: none for the embedded H2 store; the PostgreSQL subclass names its database. */
    String database() {
        return "";
    }

    ScheduleFile.Loaded schedules(String body) throws Exception {
        Path f = tmp.resolve("schedule-" + System.nanoTime() + ".yaml");
        Files.writeString(f, "controller:\n  metrics_port: 0\n  misfire_threshold_seconds: 1\n" + database() + body);
        return ScheduleFile.loadAll(f, Map.of(), tmp.resolve("ws"), k -> null);
    }

    /** One schedule named {@code name} running {@code spec} on {@code cron}, with {@code extra} keys (YAML lines, indented 4). */
    ScheduleFile.Loaded schedule(String name, Path spec, String cron, String extra) throws Exception {
        return schedules("schedules:\n  - name: " + name + "\n    pipeline: " + spec + "\n    cron: \"" + cron + "\"\n" + extra);
    }

    Controller controller(ScheduleFile.Loaded config) {
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, TestSpark::session, l -> {});
        return new Controller(config.settings(), config.schedules(), new InProcessExecutor(runner, TestSpark::session, Map.of()), lines::add);
    }

    List<String> executions(String id) {
        Path log = tmp.resolve(id + ".log");
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void await(BooleanSupplier done, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) Thread.sleep(100);
    }

    @Test
    void eachFireRunsItsLogicalDateOnceAndTheMetricsCountThem() throws Exception {
        Path spec = pipeline("fires", "");
        ScheduleFile.Loaded config = schedules("""
            schedules:
              - name: every-second
                pipeline: %s
                cron: "* * * * * ?"
                logical_date: {rehearsal_seconds_per_day: 1, rehearsal_start: 2001-01-01}
            """.formatted(spec));
        String scrape;
        try (Controller c = controller(config)) {
            c.start();
            await(() -> c.runs().countByState("every-second").getOrDefault(RunRecord.SUCCEEDED, 0) >= 4, 30_000);
            scrape = c.metrics().scrape();
        }
        List<RunRecord> runs = new RunsTable(new SchedulerDatabase(config.settings())).list("every-second", null, 100);
        assertTrue(runs.stream().filter(r -> r.state().equals(RunRecord.SUCCEEDED)).count() >= 4, runs.toString());
        Map<LocalDate, Long> perDate = runs.stream().collect(Collectors.groupingBy(RunRecord::logicalDate, Collectors.counting()));
        assertTrue(perDate.values().stream().allMatch(n -> n == 1), "one run per logical date: " + perDate);
        Map<String, Long> executed = executions("fires").stream().collect(Collectors.groupingBy(l -> l.split(" ")[1], Collectors.counting()));
        assertTrue(executed.values().stream().allMatch(n -> n == 1), "each date's step ran once: " + executed);
        assertTrue(scrape.matches("(?s).*treeline_runs\\{schedule=\"every-second\",state=\"succeeded\"} [4-9].*"), scrape);
        assertTrue(scrape.contains("treeline_step_duration_seconds_count{schedule=\"every-second\",step=\"a\"}"), scrape);
        assertTrue(scrape.contains("treeline_run_last_success_timestamp_seconds{schedule=\"every-second\"}"), scrape);
    }

    @Test
    void aScheduledRunUsesItsSpecsSparkSettingsAndTheControllersSessionKeepsItsOwn() throws Exception {
        String id = "conf-" + tmp.getFileName();
        Path dir = tmp.resolve("spec-conf");
        TestPipelines.writeSpec(dir, """
            pipeline: p-conf
            spark:
              conf: {spark.sql.shuffle.partitions: "3"}
            steps:
              - {name: a, type: count, outputs: [x], params: {id: %s, conf: spark.sql.shuffle.partitions}}
            """.formatted(id));
        ScheduleFile.Loaded config = schedules("""
            schedules:
              - name: conf
                pipeline: %s
                cron: "0 0 2 * * ?"
            """.formatted(dir.resolve("pipeline.yaml")));
        // As `treeline scheduler start` wires it: the runner takes the session the executor made active for the run.
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, org.apache.spark.sql.SparkSession::active,
                l -> {});
        InProcessExecutor executor = new InProcessExecutor(runner, (dev.treeline.pipelines.spec.SparkSpec spark) -> TestSpark.session(), Map.of());
        try (Controller c = new Controller(config.settings(), config.schedules(), executor, lines::add)) {
            c.start();
            RunRecord queued = c.queue(config.schedule("conf"), LocalDate.of(2001, 1, 1), "manual", false, null, null).orElseThrow();
            await(() -> c.runs().get(queued.runId()).orElseThrow().finished(), 60_000);
            assertEquals(RunRecord.SUCCEEDED, c.runs().get(queued.runId()).orElseThrow().state(), String.join("\n", lines));
        }
        assertEquals("3", CountingStepType.CONF_SEEN.get(id), "the spec's spark.conf applies to its scheduled run");
        assertEquals("4", TestSpark.session().conf().get("spark.sql.shuffle.partitions"), "and to no other session");
    }

    @Test
    void aStepThatFailsTwiceIsRetriedWithBackoffAndTheRunSucceeds() throws Exception {
        Path spec = pipeline("flaky", ", fail_times: 2");
        ScheduleFile.Loaded config = schedules("""
            schedules:
              - name: flaky
                pipeline: %s
                cron: "0 0 2 * * ?"
                retries: {attempts: 3, backoff_seconds: 1}
            """.formatted(spec));
        try (Controller c = controller(config); SchedulerAdmin admin = new SchedulerAdmin(config)) {
            c.start();
            RunRecord r = admin.trigger("flaky", LocalDate.of(2001, 3, 1));
            await(() -> c.runs().get(r.runId()).map(RunRecord::finished).orElse(false), 30_000);
            RunRecord done = c.runs().get(r.runId()).orElseThrow();
            assertEquals(RunRecord.SUCCEEDED, done.state(), done.toString());
            assertEquals(3, done.attempts());
            assertEquals(3, executions("flaky").size());
            assertTrue(lines.stream().anyMatch(l -> l.contains("attempt 1 failed (") && l.endsWith("retrying in 1 s")), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.contains("attempt 2 failed (") && l.endsWith("retrying in 2 s")), "exponential: " + lines);
            assertTrue(c.metrics().scrape().contains("treeline_run_retries_total{schedule=\"flaky\"} 2.0"), c.metrics().scrape());
        }
    }

    @Test
    void catchUpQueuesOnlyTheLatestMaxCatchUpMissedFires() throws Exception {
        ScheduleFile.Loaded config = schedule("cu", pipeline("cu", ""), "0 * * * * ?", """
                misfire: catch_up
                max_catch_up: 2
                logical_date: {rehearsal_seconds_per_day: 60, rehearsal_start: 2001-01-01}
            """);
        // The last fire this schedule recorded was ten and a half minutes ago: ten fires were missed.
        try (SchedulerDatabase db = new SchedulerDatabase(config.settings())) {
            new RunsTable(db).recordFire("cu", java.time.Instant.now().minusSeconds(630));
        }
        try (Controller c = controller(config)) {
            c.start();
            await(() -> c.runs().list("cu", null, 100).stream().filter(r -> r.kind().equals("catch_up")).count() == 2, 20_000);
            List<RunRecord> caught = c.runs().list("cu", null, 100).stream().filter(r -> r.kind().equals("catch_up"))
                    .sorted(java.util.Comparator.comparing(RunRecord::logicalDate)).toList();
            assertEquals(2, caught.size(), caught.toString());
            assertEquals(caught.get(0).logicalDate().plusDays(1), caught.get(1).logicalDate(), "the two latest missed fires: " + caught);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("schedule cu: catching up 2 missed fire(s) since ")
                    && l.matches(".*; (8|9) older missed fire\\(s\\) skipped \\(max_catch_up 2\\), run them with treeline backfill")), lines.toString());
        }
    }

    /**
     * A controller killed inside a fire, after queueing its run and before recording the fire, leaves a queued
     * run (no attempt stored) and an unrecorded fire. The next controller's catch_up sees the fire as missed and
     * the date as queued already; the queued run is started: the date runs once, the fire is recorded.
     */
    @Test
    void aControllerKilledBetweenQueueingAFireAndRecordingItRunsTheDateOnce() throws Exception {
        ScheduleFile.Loaded config = schedule("gap", pipeline("gap", ""), "0 * * * * ?", """
                misfire: catch_up
                logical_date: {rehearsal_seconds_per_day: 60, rehearsal_start: 2001-01-01}
            """);
        ScheduleSpec spec = config.schedules().get(0);
        Instant fire = Instant.ofEpochSecond(Instant.now().getEpochSecond() / 60 * 60); // the fire the dead controller was in
        LocalDate date = spec.logicalDate(java.util.Date.from(fire));
        String queued;
        try (SchedulerDatabase db = new SchedulerDatabase(config.settings())) {
            RunsTable runs = new RunsTable(db);
            runs.recordFire("gap", fire.minusSeconds(60)); // the fire before it was recorded
            queued = runs.enqueue("gap", date, "scheduled", false, null, null).orElseThrow().runId(); // queued, then killed
        }
        try (Controller c = controller(config)) {
            c.start();
            await(() -> c.runs().get(queued).map(RunRecord::finished).orElse(false), 30_000);
            assertEquals(RunRecord.SUCCEEDED, c.runs().get(queued).orElseThrow().state());
            assertEquals(List.of(queued), c.runs().forDate("gap", date).stream().map(RunRecord::runId).toList(), "no second run for the date");
            assertEquals(1, executions("gap").stream().filter(l -> l.split(" ")[1].equals(date.toString())).count(), executions("gap").toString());
            assertTrue(lines.contains("schedule gap " + date + ": a run is already queued or running (" + queued + ")"), lines.toString());
            assertTrue(!c.runs().lastFire("gap").orElseThrow().isBefore(fire), "catch_up recorded the fire");
        }
    }

    @Test
    void anErrorEscapingTheExecutorFailsTheAttemptInsteadOfLeavingItRunning() throws Exception {
        ScheduleFile.Loaded config = schedule("erring", pipeline("erring", ""), "0 0 2 * * ?", "    retries: {attempts: 1}\n");
        RunExecutor throwsAnError = (schedule, run, stop) -> {
            throw new NoClassDefFoundError("org/example/Missing");
        };
        try (Controller c = new Controller(config.settings(), config.schedules(), throwsAnError, lines::add);
             SchedulerAdmin admin = new SchedulerAdmin(config)) {
            c.start();
            RunRecord r = admin.trigger("erring", LocalDate.of(2001, 3, 3));
            await(() -> c.runs().get(r.runId()).map(RunRecord::finished).orElse(false), 30_000);
            RunRecord done = c.runs().get(r.runId()).orElseThrow();
            assertEquals(RunRecord.FAILED, done.state(), done.toString());
            assertEquals("NoClassDefFoundError: org/example/Missing", done.error());
        }
    }

    /**
     * Eight threads of two controllers claim eight queued runs of a schedule limited to two at once: exactly two
     * are taken. A running run is then refused to the other controller while its owner's heartbeat is fresh, and
     * taken once the heartbeat stopped (in the database's clock, so host clock skew cannot fake it).
     */
    @Test
    void claimsKeepTheLimitUnderRacingThreadsAndTakeOverOnlyFromASilentController() throws Exception {
        ScheduleFile.Loaded config = schedule("race", pipeline("race", ""), "0 0 2 * * ?", "    max_concurrent_runs: 2\n");
        try (SchedulerDatabase db = new SchedulerDatabase(config.settings())) {
            RunsTable runs = new RunsTable(db);
            runs.heartbeat("c0");
            runs.heartbeat("c1");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) ids.add(runs.enqueue("race", LocalDate.of(2001, 4, 1 + i), "manual", false, null, null).orElseThrow().runId());
            CyclicBarrier together = new CyclicBarrier(ids.size());
            ExecutorService pool = Executors.newFixedThreadPool(ids.size());
            List<Future<RunsTable.Claim>> claims = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                String instance = "c" + (i % 2);
                claims.add(pool.submit(() -> {
                    together.await();
                    return runs.claim(id, instance, "race", 2, null, Duration.ofSeconds(20));
                }));
            }
            List<RunRecord> taken = new ArrayList<>();
            for (Future<RunsTable.Claim> f : claims) {
                RunsTable.Claim c = f.get();
                if (c.taken()) taken.add(c.run());
                else assertEquals(RunsTable.Refusal.NO_SLOT, c.refused());
            }
            pool.shutdown();
            assertEquals(2, taken.size(), "never more than max_concurrent_runs: " + taken);

            RunRecord owned = taken.get(0);
            String other = owned.instance().equals("c0") ? "c1" : "c0";
            assertEquals(RunsTable.Refusal.OWNER_ALIVE, runs.claim(owned.runId(), other, "race", 2, null, Duration.ofSeconds(20)).refused(),
                    "a live owner keeps its run");
            assertEquals(RunsTable.Refusal.OWNER_ALIVE, runs.claim(owned.runId(), owned.instance(), "race", 2, null, Duration.ofSeconds(20)).refused(),
                    "and a second job of the same controller cannot run it twice");
            try (Connection c = db.connection();
                 PreparedStatement p = c.prepareStatement("UPDATE treeline_controllers SET heartbeat_at = CURRENT_TIMESTAMP - INTERVAL '3600' SECOND "
                         + "WHERE instance_id = ?")) {
                p.setString(1, owned.instance());
                p.executeUpdate();
            }
            RunsTable.Claim takeover = runs.claim(owned.runId(), other, "race", 2, null, Duration.ofSeconds(20));
            assertTrue(takeover.taken(), "a silent owner's run is taken over: " + takeover);
            assertEquals(other, takeover.run().instance());
            assertEquals(owned.instance(), takeover.tookOverFrom(), "the claim says whose run it took over");
        }
    }

    @Test
    void aRunQueuedWithoutAStoredAttemptIsStartedByTheNextController() throws Exception {
        ScheduleFile.Loaded config = schedule("orphan", pipeline("orphan", ""), "0 0 2 * * ?", "");
        String runId;
        try (SchedulerDatabase db = new SchedulerDatabase(config.settings())) {
            // A controller that died between queueing the run and storing its attempt left only the row, two minutes ago.
            runId = new RunsTable(db).enqueue("orphan", LocalDate.of(2001, 5, 1), "manual", false, null, null).orElseThrow().runId();
            try (Connection c = db.connection(); PreparedStatement p = c.prepareStatement("UPDATE treeline_runs SET queued_at = ? WHERE run_id = ?")) {
                p.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(120)));
                p.setString(2, runId);
                p.executeUpdate();
            }
        }
        try (Controller c = controller(config)) {
            c.start();
            await(() -> c.runs().get(runId).map(RunRecord::finished).orElse(false), 30_000);
            assertEquals(RunRecord.SUCCEEDED, c.runs().get(runId).orElseThrow().state());
            assertEquals(1, executions("orphan").size());
            String started = "run " + runId + " (orphan 2001-05-01): starting after ";
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(started) && l.endsWith(" s in the queue")
                    && Integer.parseInt(l.substring(started.length(), l.length() - " s in the queue".length())) >= 120), lines.toString());
        }
    }

    /** A step that ignores the interrupt outlives its deadline; the step after it must not run for an attempt given up on. */
    @Test
    void anAttemptGivenUpOnRunsNoFurtherStepEvenIfItsThreadLivesOn() throws Exception {
        Path dir = tmp.resolve("spec-deaf");
        String id = "deaf-" + tmp.getFileName();
        TestPipelines.writeSpec(dir, """
            pipeline: p-deaf
            steps:
              - {name: a, type: count, outputs: [x], params: {id: %s-a, busy_seconds: 4}}
              - {name: b, type: count, inputs: [x], outputs: [y], params: {id: %s-b, log: %s}}
            """.formatted(id, id, tmp.resolve("deaf-b.log")));
        ScheduleFile.Loaded config = schedule("deaf", dir.resolve("pipeline.yaml"), "0 0 2 * * ?",
                "    retries: {attempts: 1}\n    deadlines: {step_seconds: 2}\n");
        try (Controller c = controller(config); SchedulerAdmin admin = new SchedulerAdmin(config)) {
            c.start();
            RunRecord r = admin.trigger("deaf", LocalDate.of(2001, 3, 4));
            await(() -> c.runs().get(r.runId()).map(RunRecord::finished).orElse(false), 60_000);
            assertEquals("step a exceeded its deadline of 2 s", c.runs().get(r.runId()).orElseThrow().error());
            // The executor waits (up to 30 s) for the abandoned thread to end before it records the run: by now step a's
            // busy loop is over, and without the stop signal its thread would have gone on to step b.
            assertEquals(List.of(), executions("deaf-b"), "step b never ran for the abandoned attempt");
        }
    }

    /** /healthz answers ok while heartbeats reach the database, and 503 with the reason once they stop. */
    @Test
    void healthzTurnsUnhealthyWhenTheRunsDatabaseStopsTakingHeartbeats() throws Exception {
        ScheduleFile.Loaded config = schedule("health", pipeline("health", ""), "0 0 2 * * ?", "");
        try (Controller c = controller(config)) {
            c.start();
            HttpClient http = HttpClient.newHttpClient();
            URI healthz = URI.create("http://127.0.0.1:" + c.metrics().port() + "/healthz");
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertEquals("ok\n", ok.body());
            // The heartbeats' table disappears: every heartbeat fails from now on, as with a database that stopped answering.
            try (SchedulerDatabase db = new SchedulerDatabase(config.settings()); Connection conn = db.connection();
                 PreparedStatement p = conn.prepareStatement("DROP TABLE treeline_controllers")) {
                p.executeUpdate();
            }
            await(() -> {
                try {
                    return http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 503;
                } catch (Exception e) {
                    return false;
                }
            }, 40_000);
            String body = http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(body.startsWith("no heartbeat reached the runs database for ") && body.contains("scheduler database "), body);
        }
    }

    @Test
    void aDeadlineFailsAHungStep() throws Exception {
        Path spec = pipeline("hung", ", sleep_seconds: 600");
        ScheduleFile.Loaded config = schedules("""
            schedules:
              - name: hung
                pipeline: %s
                cron: "0 0 2 * * ?"
                retries: {attempts: 3, backoff_seconds: 0}
                deadlines: {step_seconds: 2}
            """.formatted(spec));
        try (Controller c = controller(config); SchedulerAdmin admin = new SchedulerAdmin(config)) {
            c.start();
            RunRecord r = admin.trigger("hung", LocalDate.of(2001, 3, 2));
            await(() -> c.runs().get(r.runId()).map(RunRecord::finished).orElse(false), 30_000);
            RunRecord done = c.runs().get(r.runId()).orElseThrow();
            assertEquals(RunRecord.FAILED, done.state());
            assertEquals("step a exceeded its deadline of 2 s", done.error());
            assertEquals(1, done.attempts(), "a deadline is not retried");
            assertTrue(done.seconds() < 60, "the step was stopped, not waited for: " + done.seconds());
        }
    }

    @Test
    void backfillQueuesOneRunPerDateOldestFirstAndNoneTheSecondTime() throws Exception {
        Path spec = pipeline("backfill", "");
        ScheduleFile.Loaded config = schedules("""
            schedules:
              - name: nightly
                pipeline: %s
                cron: "0 0 2 * * ?"
            """.formatted(spec));
        try (Controller c = controller(config); SchedulerAdmin admin = new SchedulerAdmin(config)) {
            c.start();
            // One at a time, so the execution order is the queue order and not a race between two threads.
            var lines1 = admin.backfill("nightly", LocalDate.of(2001, 6, 1), LocalDate.of(2001, 6, 5), SchedulerAdmin.Reprocess.NONE, 1, false);
            assertEquals(5, lines1.stream().filter(l -> l.action().equals("queued")).count());
            await(() -> c.runs().countByState("nightly").getOrDefault(RunRecord.SUCCEEDED, 0) == 5, 60_000);
            List<String> dates = executions("backfill").stream().map(l -> l.split(" ")[1]).toList();
            assertEquals(List.of("2001-06-01", "2001-06-02", "2001-06-03", "2001-06-04", "2001-06-05"), dates, "oldest first");
            var again = admin.backfill("nightly", LocalDate.of(2001, 6, 1), LocalDate.of(2001, 6, 5), SchedulerAdmin.Reprocess.NONE, 2, false);
            assertTrue(again.stream().allMatch(l -> l.action().equals("skipped: already succeeded")), again.toString());
            assertEquals(5, c.runs().list("nightly", null, 100).size(), "nothing new");
        }
    }

    /**
     * Runs waiting for a slot wait as rows in the runs table: the job store holds an attempt only for a run
     * about to start or running, and each run is stored once (no job re-created every few seconds per waiting run).
     */
    @Test
    void runsWaitingForASlotAreRowsAndEachIsStoredInTheJobStoreOnce() throws Exception {
        ScheduleFile.Loaded config = schedule("nightly", pipeline("queue", ", busy_seconds: 1"), "0 0 2 * * ?", "");
        java.util.Set<String> jobNames = new java.util.HashSet<>();
        int mostStored = 0;
        int mostWaitingUnstored = 0;
        try (Controller c = controller(config); SchedulerAdmin admin = new SchedulerAdmin(config);
             SchedulerDatabase db = new SchedulerDatabase(config.settings())) {
            c.start();
            var queued = admin.backfill("nightly", LocalDate.of(2001, 7, 1), LocalDate.of(2001, 7, 6), SchedulerAdmin.Reprocess.NONE, 1, false);
            assertEquals(6, queued.stream().filter(l -> l.action().equals("queued")).count());
            long deadline = System.currentTimeMillis() + 90_000;
            while (c.runs().countByState("nightly").getOrDefault(RunRecord.SUCCEEDED, 0) < 6 && System.currentTimeMillis() < deadline) {
                List<String> names = new ArrayList<>();
                try (Connection conn = db.connection(); var st = conn.createStatement();
                     var rs = st.executeQuery("SELECT JOB_NAME FROM QRTZ_JOB_DETAILS WHERE JOB_GROUP = '" + Controller.RUNS + "'")) {
                    while (rs.next()) names.add(rs.getString(1));
                }
                jobNames.addAll(names);
                mostStored = Math.max(mostStored, names.size());
                int queuedRows = c.runs().countByState("nightly").getOrDefault(RunRecord.QUEUED, 0);
                mostWaitingUnstored = Math.max(mostWaitingUnstored, queuedRows - names.size());
                Thread.sleep(50);
            }
            assertEquals(6, c.runs().countByState("nightly").getOrDefault(RunRecord.SUCCEEDED, 0));
            assertEquals(List.of("2001-07-01", "2001-07-02", "2001-07-03", "2001-07-04", "2001-07-05", "2001-07-06"),
                    executions("queue").stream().map(l -> l.split(" ")[1]).toList(), "oldest first, one at a time");
            assertTrue(c.runs().list("nightly", null, 10).stream().allMatch(r -> r.attempts() == 1), "no run attempted twice");
        }
        assertTrue(mostStored <= 2, "at most the running attempt and the next one's are stored, saw " + mostStored);
        assertTrue(mostWaitingUnstored >= 3, "waiting runs are rows without a stored job, saw at most " + mostWaitingUnstored);
        assertTrue(jobNames.size() <= 6, "each run's attempt stored once: " + jobNames);
    }

    @Test
    void aTriggerLeftAcquiredByADeadControllerIsRepaired() throws Exception {
        Path spec = pipeline("doctor", "");
        ScheduleFile.Loaded config = schedules("""
            schedules:
              - name: nightly
                pipeline: %s
                cron: "0 0 2 * * ?"
            """.formatted(spec));
        try (Controller c = controller(config)) {
            c.start();
        }
        SchedulerDatabase db = new SchedulerDatabase(config.settings());
        try (var conn = db.connection(); var st = conn.createStatement()) {
            st.executeUpdate("UPDATE QRTZ_TRIGGERS SET TRIGGER_STATE = 'ACQUIRED' WHERE TRIGGER_NAME = 'nightly'");
        }
        try (SchedulerAdmin admin = new SchedulerAdmin(config)) {
            var dry = admin.doctor(true);
            assertEquals(1, dry.size());
            assertEquals("ACQUIRED", dry.get(0).state());
            assertEquals(1, admin.doctor(true).size(), "a dry run changes nothing");
            assertEquals(1, admin.doctor(false).size());
            assertEquals(0, admin.doctor(true).size());
        }
        try (var conn = db.connection(); var st = conn.createStatement(); var rs = st.executeQuery("SELECT TRIGGER_STATE FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = 'nightly'")) {
            rs.next();
            assertEquals("WAITING", rs.getString(1));
        }
        db.close();
    }

    /**
     * Three schedules firing every 4 seconds (one logical day per second) and a controller that is down
     * across at least two fires: skip runs none of them, run_once runs once at restart, catch_up runs
     * each missed fire's date.
     */
    @Test
    void misfirePoliciesWhenTheControllerWasDownAcrossTwoFires() throws Exception {
        StringBuilder body = new StringBuilder("schedules:\n");
        for (String policy : List.of("skip", "run_once", "catch_up")) {
            body.append("""
                  - name: %s
                    pipeline: %s
                    cron: "*/4 * * * * ?"
                    misfire: %s
                    logical_date: {rehearsal_seconds_per_day: 1, rehearsal_start: 2001-01-01}
                """.formatted(policy, pipeline("mf-" + policy, ""), policy));
        }
        ScheduleFile.Loaded config = schedules(body.toString());
        try (Controller c = controller(config)) {
            c.start();
            await(() -> List.of("skip", "run_once", "catch_up").stream().allMatch(p -> c.runs().lastFire(p).isPresent()), 20_000);
        }
        java.time.Instant down = java.time.Instant.now();
        Thread.sleep(9_000);
        // Restart one second after a fire boundary, so the first regular fire is three seconds away.
        while (java.time.Instant.now().getEpochSecond() % 4 != 1) Thread.sleep(50);
        java.time.Instant restart = java.time.Instant.now();
        org.quartz.CronExpression cron = new org.quartz.CronExpression("*/4 * * * * ?");
        java.time.Instant firstRegular = cron.getNextValidTimeAfter(java.util.Date.from(restart)).toInstant();
        try (Controller c = controller(config)) {
            c.start();
            Thread.sleep(2_000);
        }
        RunsTable runs = new RunsTable(new SchedulerDatabase(config.settings()));
        for (String policy : List.of("skip", "run_once", "catch_up")) {
            java.time.Instant last = runs.list(policy, null, 1000).stream().filter(r -> r.queuedAt().isBefore(down)).map(RunRecord::queuedAt)
                    .max(java.time.Instant::compareTo).orElseThrow();
            List<LocalDate> missed = new ArrayList<>();
            java.util.Date t = cron.getNextValidTimeAfter(java.util.Date.from(last.plusMillis(500)));
            while (t.toInstant().isBefore(restart)) {
                missed.add(config.schedule(policy).logicalDate(t));
                t = cron.getNextValidTimeAfter(t);
            }
            assertTrue(missed.size() >= 2, policy + ": down across two fires at least: " + missed);
            List<RunRecord> after = runs.list(policy, null, 1000).stream().filter(r -> !r.queuedAt().isBefore(restart))
                    .sorted(java.util.Comparator.comparing(RunRecord::queuedAt)).toList();
            List<RunRecord> beforeFirstRegular = after.stream().filter(r -> r.queuedAt().isBefore(firstRegular)).toList();
            List<LocalDate> dates = after.stream().map(RunRecord::logicalDate).toList();
            switch (policy) {
                case "skip" -> {
                    assertTrue(beforeFirstRegular.isEmpty(), "skip: nothing runs for the missed fires: " + beforeFirstRegular);
                    assertTrue(missed.stream().noneMatch(dates::contains), "skip: " + dates + " vs missed " + missed);
                }
                case "run_once" -> assertEquals(1, beforeFirstRegular.size(), "run_once: one run at restart: " + beforeFirstRegular);
                default -> {
                    assertEquals(missed, beforeFirstRegular.stream().filter(r -> r.kind().equals("catch_up")).map(RunRecord::logicalDate).toList(),
                            "catch_up: one run per missed fire, oldest first");
                }
            }
        }
    }

    @Test
    void restartingWithAChangedFileUpdatesTriggersWithoutDuplicatingThem() throws Exception {
        Path spec = pipeline("triggers", "");
        String entry = "  - {name: %s, pipeline: " + spec + ", cron: \"%s\"}\n";
        ScheduleFile.Loaded first = schedules("schedules:\n" + entry.formatted("a", "0 0 2 * * ?") + entry.formatted("b", "0 0 3 * * ?"));
        try (Controller c = controller(first)) {
            c.start();
        }
        Map<String, String> before = crons(first);
        assertEquals(Map.of("a", "0 0 2 * * ?", "b", "0 0 3 * * ?"), before);
        ScheduleFile.Loaded second = schedules("schedules:\n" + entry.formatted("a", "0 0 4 * * ?") + entry.formatted("b", "0 0 3 * * ?")
                + entry.formatted("c", "0 0 5 * * ?"));
        for (int restart = 0; restart < 2; restart++) {
            try (Controller c = controller(second)) {
                c.start();
            }
        }
        assertEquals(Map.of("a", "0 0 4 * * ?", "b", "0 0 3 * * ?", "c", "0 0 5 * * ?"), crons(second), "one trigger each, a updated, c added");
        ScheduleFile.Loaded third = schedules("schedules:\n" + entry.formatted("b", "0 0 3 * * ?") + "  - {name: c, pipeline: " + spec
                + ", cron: \"0 0 5 * * ?\", enabled: false}\n");
        try (Controller c = controller(third)) {
            c.start();
        }
        assertEquals(Map.of("b", "0 0 3 * * ?"), crons(third), "a removed from the file, c disabled: their triggers are gone");
        assertTrue(lines.contains("schedule a: no longer in the file, trigger removed") && lines.contains("schedule c: disabled, trigger removed"), lines.toString());
    }

    Map<String, String> crons(ScheduleFile.Loaded config) throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        try (SchedulerDatabase db = new SchedulerDatabase(config.settings()); var c = db.connection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT t.TRIGGER_NAME, c.CRON_EXPRESSION FROM QRTZ_TRIGGERS t JOIN QRTZ_CRON_TRIGGERS c "
                     + "ON c.TRIGGER_NAME = t.TRIGGER_NAME AND c.TRIGGER_GROUP = t.TRIGGER_GROUP WHERE t.TRIGGER_GROUP = 'treeline-schedules'")) {
            while (rs.next()) {
                assertTrue(out.put(rs.getString(1), rs.getString(2)) == null, "duplicate trigger " + rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void aStoppingControllerFinishesTheRunningStepAndTheNextOneResumesAfterIt() throws Exception {
        Path dir = tmp.resolve("spec-graceful");
        TestPipelines.writeSpec(dir, """
            pipeline: p-graceful
            steps:
              - {name: slow, type: count, outputs: [x], params: {id: graceful-slow, log: %1$s, sleep_seconds: 3}}
              - {name: after, type: count, inputs: [x], outputs: [y], params: {id: graceful-after, log: %1$s}}
            """.formatted(tmp.resolve("graceful.log")));
        ScheduleFile.Loaded config = schedules("""
            schedules:
              - {name: graceful, pipeline: %s, cron: "0 0 2 * * ?"}
            """.formatted(dir.resolve("pipeline.yaml")));
        RunRecord r;
        try (Controller c = controller(config); SchedulerAdmin admin = new SchedulerAdmin(config)) {
            c.start();
            r = admin.trigger("graceful", LocalDate.of(2001, 3, 3));
            await(() -> executions("graceful").size() == 1, 20_000);
        } // close() while step 'slow' sleeps: it must finish, and 'after' must not start
        RunsTable runs = new RunsTable(new SchedulerDatabase(config.settings()));
        assertEquals(RunRecord.QUEUED, runs.get(r.runId()).orElseThrow().state(), "queued again for the next controller");
        assertEquals(List.of("graceful-slow"), executions("graceful").stream().map(l -> l.split(" ")[0]).toList());
        try (Controller c = controller(config)) {
            c.start();
            await(() -> c.runs().get(r.runId()).map(RunRecord::finished).orElse(false), 30_000);
            assertEquals(RunRecord.SUCCEEDED, c.runs().get(r.runId()).orElseThrow().state());
        }
        assertEquals(List.of("graceful-slow", "graceful-after"), executions("graceful").stream().map(l -> l.split(" ")[0]).toList(),
                "the finished step is not run again");
    }

    @Test
    void theShippedScheduleFileIsValid() {
        ScheduleFile.Loaded c = ScheduleFile.loadAll(Path.of("../examples/flights/schedule.yaml"), Map.of(), tmp.resolve("ws"), k -> null);
        ScheduleSpec s = c.schedule("flights-nightly");
        assertEquals(ScheduleSpec.Misfire.CATCH_UP, s.misfire());
        assertEquals(3, s.retries().attempts());
        assertEquals(java.time.Duration.ofMinutes(60), s.deadlines().step());
        assertEquals(LocalDate.of(2001, 6, 1), s.logicalDate().at(java.time.Instant.parse("2001-06-02T06:30:00Z"), s.timeZone()));
        assertTrue(c.settings().jdbcUrl().startsWith("jdbc:h2:file:"), c.settings().toString());
    }

    @Test
    void badCronIsReportedWithFileLineAndExample() throws Exception {
        Path f = tmp.resolve("s.yaml");
        Files.writeString(f, "schedules:\n  - name: x\n    pipeline: p.yaml\n    cron: \"0 0 2 * *\"\n");
        SpecException e = assertThrows(SpecException.class, () -> ScheduleFile.load(f, Map.of()));
        assertTrue(e.getMessage().startsWith(f + ":4: schedules[0].cron: '0 0 2 * *' is not a Quartz cron expression ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("it has 6 or 7 fields, seconds first, e.g. '0 0 2 * * ?' for 02:00 every day"), e.getMessage());
    }
}
