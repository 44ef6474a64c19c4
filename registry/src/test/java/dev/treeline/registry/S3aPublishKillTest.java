package dev.treeline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.catalog.S3aSettings;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.testing.LocalStackFixture;
import dev.treeline.registry.testing.S3FaultProxy;
import dev.treeline.registry.testing.S3aRunMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Publishing day partitions on an object store (the local stack's S3 through s3a), where a rename is a
 * copy and a kill mid-rename leaves half a directory: a writer SIGKILLed between two pointers of one
 * publish leaves every day whole (the old version or the new), and a rerun completes the work once.
 */
class S3aPublishKillTest {
    static final LocalDate START = LocalDate.of(2001, 1, 1);
    static final LocalDate D = START.plusDays(4);

    @TempDir Path tmp;

    @Test
    void aWriterKilledBetweenTwoPointersLeavesEveryDayWholeAndARerunCompletesIt() throws Exception {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        String prefix = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 5, 200, 1);
        Path spec = spec(data, prefix);
        Pipeline p = TestPipelines.load(spec, Map.of());
        PipelineRunner runner = new PipelineRunner(env, NoTracking::new, TestSpark::session, l -> {});
        runner.run(p, D, RunOptions.DEFAULT);
        TreeMap<LocalDate, PartitionMarker> good = curated(p).markers();
        assertEquals(5, good.size());
        good.values().forEach(m -> assertEquals(200, m.rows()));

        // The source grows (a new fingerprint), so the next run rewrites all five days; it is killed after two pointers moved.
        SyntheticFlights.frame(TestSpark.session(), START, 5, 2_000, 2).write().mode(SaveMode.Overwrite).parquet(data.toString());
        Process child = start(spec, tmp.resolve("ws"), "slow");
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
        List<String> pointers = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("POINTER ") && line.contains("/curated/")) pointers.add(line);
            if (pointers.size() == 3) break; // the first two are written; the third is being written
        }
        assertEquals(3, pointers.size(), "the child reached the publish of curated");
        new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));

        PartitionedDataset curated = curated(p);
        TreeMap<LocalDate, PartitionMarker> after = curated.markers();
        assertEquals(good.keySet(), after.keySet(), "every day is still published");
        int moved = 0;
        for (var e : after.entrySet()) {
            long read = curated.read(List.of(e.getKey())).count();
            assertEquals(e.getValue().rows(), read, "day " + e.getKey() + " holds exactly the rows its pointer promises");
            if (e.getValue().equals(good.get(e.getKey()))) {
                assertEquals(200, read, "an unmoved day is the last good one");
            } else {
                assertEquals(2_000, read, "a moved day is the new one, whole");
                moved++;
            }
        }
        assertEquals(2, moved, "killed between the second and the third pointer");

        runner.run(p, D, RunOptions.DEFAULT);
        PartitionedDataset done = curated(p);
        assertEquals(10_000, done.read(START, D).count(), "the rerun completed the rewrite, once");
        for (LocalDate d : good.keySet()) assertNotEquals(good.get(d).data(), done.marker(d).data());
        // The dead writer's entry is collected with its unpublished days; the days it did publish stay.
        try (S3Client s3 = S3Clients.create(env.s3())) {
            List<String> keys = s3.listObjectsV2Paginator(b -> b.bucket(LocalStack.DEFAULT_BUCKET).prefix(prefix + "/curated/")).contents().stream()
                    .map(S3Object::key).toList();
            assertFalse(keys.stream().anyMatch(k -> k.contains("/_writers/") && k.endsWith(".json")), "no writer entry is left: " + keys);
            for (LocalDate d : good.keySet()) {
                String dir = prefix + "/curated/" + done.marker(d).data() + "/";
                assertTrue(keys.stream().anyMatch(k -> k.startsWith(dir) && k.endsWith(".parquet")), "day " + d + " has its files at " + dir);
            }
            long versions = keys.stream().filter(k -> k.contains("/_versions/")).map(k -> k.split("/_versions/")[1].split("/")[0]).distinct().count();
            assertEquals(3, versions, "the first run's (kept for the grace), the killed run's two published days, the rerun's: " + keys);
        }
    }

    @Test
    void slowDownRepliesMidPublishAreRetriedAndEveryDayIsPublishedOnce() throws Exception {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        String prefix = "slow-" + UUID.randomUUID().toString().substring(0, 8);
        // This JVM reads the result through s3a too, with the stack's settings (a run would apply them; this one runs elsewhere).
        S3aSettings.apply(TestSpark.session().sparkContext().hadoopConfiguration(), env.s3());
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 5, 300, 3);
        Path spec = spec(data, prefix);
        Pipeline p = TestPipelines.load(spec, Map.of());
        try (S3FaultProxy proxy = new S3FaultProxy(env.s3().endpoint())) {
            // Throttled as S3 throttles a busy prefix: every pointer, writer entry and data file PUT is first refused with 503 SlowDown.
            proxy.slowDown(r -> r.startsWith("PUT ") && r.contains("/" + prefix + "/curated/")
                    && (r.endsWith("/_treeline.json") || r.contains("/_writers/") || r.endsWith(".parquet")), 1);
            Process child = start(spec, tmp.resolve("ws"), "fast", proxy.url());
            assertTrue(child.waitFor(300, TimeUnit.SECONDS), "the run ends");
            assertEquals(0, child.exitValue(), "the run succeeds through the throttling");
            assertTrue(proxy.injected.get() >= 11, "five pointers, five data files and a writer entry were each refused once: " + proxy.injected.get());
        }
        PartitionedDataset curated = curated(p);
        assertEquals(5, curated.markers().size());
        for (var e : curated.markers().entrySet()) {
            assertEquals(300, e.getValue().rows());
            assertEquals(300, curated.read(List.of(e.getKey())).count(), "day " + e.getKey() + " once, whole");
        }
        assertEquals(1500, curated.read(START, D).distinct().count(), "no row twice");
    }

    @Test
    void cleanDaysCopiedFromADatasetOnS3IntoALocalOneKeepTheirRows() {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        S3aSettings.apply(TestSpark.session().sparkContext().hadoopConfiguration(), env.s3());
        String prefix = "link-" + UUID.randomUUID().toString().substring(0, 8);
        Pipeline p = TestPipelines.loadText("""
            pipeline: link
            datasets:
              curated: {partitioned_by: day, path: "s3a://%s/%s/curated"}
              valid: {partitioned_by: day, path: %s}
            steps:
              - {name: a, type: count, outputs: [x], params: {id: x}}
            """.formatted(LocalStack.DEFAULT_BUCKET, prefix, tmp.resolve("valid")));
        Catalog c = new Catalog(TestSpark.session(), p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "r");
        PartitionedDataset curated = c.partitioned("curated");
        PartitionedDataset valid = c.partitioned("valid");
        List<LocalDate> days = List.of(START, START.plusDays(1));
        curated.replace(SyntheticFlights.frame(TestSpark.session(), START, 2, 50, 4)
                .withColumn("day", org.apache.spark.sql.functions.to_date(org.apache.spark.sql.functions.col("date"))), days, d -> "curated");
        // Validation found nothing to remove: the days are copied across file systems (a hard link only works on one disk).
        valid.linkFrom(curated, days, d -> "valid");
        assertEquals(100, valid.read(START, START.plusDays(1)).count(), "every row of the S3 days reached the local copy");
        assertEquals(50, valid.rows(START));
    }

    private Path spec(Path data, String prefix) {
        return TestPipelines.writeSpec(tmp.resolve("spec"), """
            pipeline: s3a-kill
            datasets:
              raw: {path: %s}
              curated: {partitioned_by: day, path: "s3a://%s/%s/curated"}
              quarantine: {partitioned_by: day, path: "s3a://%s/%s/quarantine"}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated, quarantine], params: {time_column: date, window_days: 5}}
            """.formatted(data, LocalStack.DEFAULT_BUCKET, prefix, LocalStack.DEFAULT_BUCKET, prefix));
    }

    private PartitionedDataset curated(Pipeline p) {
        return new Catalog(TestSpark.session(), p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "t").partitioned("curated");
    }

    private static Process start(Path spec, Path workspace, String... more) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String opens : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
                "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar")) {
            cmd.add("--add-opens=java.base/" + opens + "=ALL-UNNAMED");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), S3aRunMain.class.getName(), spec.toString(), workspace.toString(),
                D.toString(), "true"));
        cmd.addAll(List.of(more));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}
