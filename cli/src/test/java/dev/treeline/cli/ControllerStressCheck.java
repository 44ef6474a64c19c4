package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.catalog.S3aSettings;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import dev.treeline.pipelines.util.FileLocks;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.steps.RegistryTags;
import dev.treeline.registry.testing.LocalStackFixture;
import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.ScheduleFile;
import dev.treeline.scheduler.SchedulerAdmin;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The issue-17 stress check, run by {@code scripts/stress} (it takes several minutes, beyond the suite's
 * budget; its name keeps it out of {@code ./scripts/test}): two controller processes on one PostgreSQL, 4
 * threads each, a backfill of {@code stress.dates} (20) dates with {@code --max-active 3}, the curated data on
 * S3Proxy through s3a, one controller SIGKILLed twice (and restarted). Every date succeeds exactly once with
 * one model version, never more than 3 runs at once, the curated days equal a single writer's, and the MLflow
 * champion alias equals {@code champion.json} whenever sampled under the model's decision lock.
 */
class ControllerStressCheck {
    static final LocalDate START = LocalDate.of(2001, 4, 1);
    @TempDir Path tmp;

    @Test
    void twoControllersABackfillWithMaxActiveThreeAndTwoSigkills() throws Exception {
        int dates = Integer.getInteger("stress.dates", 20);
        LocalStackFixture stack = LocalStackFixture.get();
        Path ws = tmp.resolve("ws");
        Environment env = stack.environment(ws);
        S3aSettings.apply(TestSpark.session().sparkContext().hadoopConfiguration(), env.s3());
        String model = "stress-" + UUID.randomUUID().toString().substring(0, 8);
        LocalDate first = START.plusDays(18);
        LocalDate last = first.plusDays(dates - 1);
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 18 + dates, 200, 5);
        Path spec = TestPipelines.writeSpec(tmp.resolve("flights"), onS3(TestPipelines.publishingFlightsSpec(data, 14, model, model), model));
        Path file = ControllerProcesses.scheduleFile(tmp, "stress", 4, """
              - name: %s
                pipeline: %s
                cron: "0 0 3 1 1 ? 2099"
                retries: {attempts: 5, backoff_seconds: 1}
            """.formatted(model, spec));

        List<String> outA = new CopyOnWriteArrayList<>();
        List<String> outB = new CopyOnWriteArrayList<>();
        ScheduleFile.Loaded config = ScheduleFile.loadAll(file, Map.of(), ws, k -> null);
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        List<String> disagreements = new CopyOnWriteArrayList<>();
        long t0 = System.nanoTime();
        try (ControllerProcesses controllers = new ControllerProcesses(); SchedulerAdmin admin = new SchedulerAdmin(config);
             MlflowConnection mlflow = new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE); S3Client s3 = S3Clients.create(env.s3())) {
            S3Publisher serving = new S3Publisher(s3, LocalStack.DEFAULT_BUCKET, model, env.s3());
            Process a = controllers.start(file, ws, env.mlflowUri(), outA);
            controllers.start(file, ws, env.mlflowUri(), outB);
            ControllerProcesses.await(() -> started(outA) && started(outB), 90_000, "two controllers: " + outA + outB);

            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    try {
                        maxRunning.accumulateAndGet(admin.runs().countByState(model).getOrDefault(RunRecord.RUNNING, 0), Math::max);
                        // Under the model's decision lock, as a decision would see it: between decisions the two must agree.
                        try (FileLocks.Held held = FileLocks.acquire(Workspace.at(ws).modelLock(model))) {
                            String alias = mlflow.registry().aliases(model).get(RegistryTags.CHAMPION);
                            String json = serving.pointer(model).map(p -> p.version()).orElse(null);
                            if (alias != null || json != null) {
                                samples.incrementAndGet();
                                if (alias == null || !alias.equals(json)) disagreements.add("alias " + alias + " vs champion.json " + json);
                            }
                        }
                        Thread.sleep(250);
                    } catch (Exception e) {
                        if (!(e instanceof InterruptedException)) disagreements.add("sampling failed: " + e);
                    }
                }
            }, "stress-sampler");
            sampler.setDaemon(true);
            sampler.start();

            List<SchedulerAdmin.BackfillLine> queued = admin.backfill(model, first, last, SchedulerAdmin.Reprocess.NONE, 3, false);
            assertEquals(dates, queued.stream().filter(l -> l.action().equals("queued")).count(), queued.toString());
            for (int kill = 1; kill <= 2; kill++) {
                int target = dates * kill / 3;
                ControllerProcesses.await(() -> succeeded(admin, model) >= target, 1_800_000, target + " successes: " + tail(outA) + tail(outB));
                a.destroyForcibly(); // SIGKILL, holding whatever it was running
                assertTrue(a.waitFor(30, TimeUnit.SECONDS));
                System.out.printf("stress: SIGKILLed controller A after %d successes (%.0f s)%n", succeeded(admin, model), (System.nanoTime() - t0) / 1e9);
                outA.clear();
                a = controllers.start(file, ws, env.mlflowUri(), outA);
            }
            ControllerProcesses.await(() -> admin.runs().list(model, null, 1000).stream().filter(RunRecord::finished).count() == dates,
                    2_400_000, "every date to finish: " + tail(outA) + tail(outB));
            sampling.set(false);
            sampler.join(5_000);
            double seconds = (System.nanoTime() - t0) / 1e9;

            List<RunRecord> runs = admin.runs().list(model, null, 1000);
            Map<LocalDate, List<RunRecord>> perDate = runs.stream().collect(Collectors.groupingBy(RunRecord::logicalDate, TreeMap::new, Collectors.toList()));
            assertEquals(dates, perDate.size(), "a run for every date: " + perDate.keySet());
            perDate.forEach((d, rs) -> {
                assertEquals(1, rs.size(), d + ": one run, whatever the kills: " + rs);
                assertEquals(RunRecord.SUCCEEDED, rs.get(0).state(), d + ": " + rs.get(0).error());
            });
            int attempts = runs.stream().mapToInt(RunRecord::attempts).sum();
            assertTrue(maxRunning.get() <= 3, "never more than --max-active 3 running at once: " + maxRunning.get());
            assertTrue(samples.get() > 0, "the champion was sampled");
            assertEquals(List.of(), disagreements, "the champion alias and champion.json agree whenever sampled");
            var versions = mlflow.registry().versions(model);
            assertEquals(dates, versions.stream().map(v -> v.tags().get("treeline.logical_date")).distinct().count(), "one version per date");
            assertEquals(dates, versions.size(), "and no date has two");

            Map<LocalDate, Row> stressed = digest(curated(spec, ws));
            Map<LocalDate, Row> single = singleWriter(data, model, first, last);
            assertEquals(single, stressed, "the curated days equal a single writer's");
            System.out.printf("stress: %d dates, %d attempts, max %d running, %d champion samples, %d curated days equal, %.0f s%n",
                    dates, attempts, maxRunning.get(), samples.get(), stressed.size(), seconds);
        } finally {
            sampling.set(false);
        }
    }

    /** The spec with its curated dataset ({@code flights}) on the local stack's S3. */
    static String onS3(String spec, String prefix) {
        String local = "flights: {partitioned_by: day}";
        assertTrue(spec.contains(local), spec);
        return spec.replace(local, "flights: {partitioned_by: day, path: \"s3a://" + LocalStack.DEFAULT_BUCKET + "/" + prefix + "/flights\"}");
    }

    /** The same dates ingested one after another by one writer, in this process, into a dataset of its own. */
    private Map<LocalDate, Row> singleWriter(Path data, String model, LocalDate first, LocalDate last) {
        Path ws = tmp.resolve("single");
        Environment env = LocalStackFixture.get().environment(ws);
        Path spec = TestPipelines.writeSpec(tmp.resolve("single-spec"), onS3(TestPipelines.publishingFlightsSpec(data, 14, model, model), model + "-single"));
        Pipeline p = TestPipelines.load(spec, Map.of());
        PipelineRunner runner = new PipelineRunner(env, NoTracking::new, TestSpark::session, l -> {});
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) runner.run(p, d, new RunOptions(false, null, "ingest"));
        return digest(curated(spec, ws));
    }

    private PartitionedDataset curated(Path spec, Path ws) {
        Pipeline p = TestPipelines.load(spec, Map.of());
        return new Catalog(TestSpark.session(), p.spec(), ws, tmp.resolve("reader"), "stress").partitioned("flights");
    }

    /** Per published day: its row count and an order-free checksum of its rows. */
    private static Map<LocalDate, Row> digest(PartitionedDataset ds) {
        Dataset<Row> rows = ds.read(ds.markers().keySet());
        Column[] all = java.util.Arrays.stream(rows.columns()).map(functions::col).toArray(Column[]::new);
        Map<LocalDate, Row> out = new TreeMap<>();
        for (Row r : rows.groupBy(ds.column()).agg(functions.count(functions.lit(1)), functions.sum(functions.xxhash64(all))).collectAsList()) {
            out.put(((java.sql.Date) r.get(0)).toLocalDate(), org.apache.spark.sql.RowFactory.create(r.getLong(1), r.get(2)));
        }
        return out;
    }

    private static long succeeded(SchedulerAdmin admin, String model) {
        return admin.runs().countByState(model).getOrDefault(RunRecord.SUCCEEDED, 0);
    }

    private static boolean started(List<String> out) {
        return out.stream().anyMatch(l -> l.startsWith("controller ") && l.contains(" started on "));
    }

    private static List<String> tail(List<String> out) {
        List<String> copy = new ArrayList<>(out);
        return Collections.unmodifiableList(copy.subList(Math.max(0, copy.size() - 15), copy.size()));
    }
}
