package dev.treeline.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.RunMain;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingestion under crashes and reruns: the last good partitions survive a SIGKILL, reruns change nothing. */
class CrashSafetyTest {
    static final LocalDate START = LocalDate.of(2001, 1, 1);
    static final LocalDate D = START.plusDays(4);

    @TempDir Path tmp;

    Path spec(Path data) {
        return TestPipelines.writeSpec(tmp.resolve("spec"), """
            pipeline: crash
            datasets:
              raw: {path: %s}
              curated: {partitioned_by: day}
              quarantine: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated, quarantine], params: {time_column: date, window_days: 5}}
            """.formatted(data));
    }

    /** sha256 of every data file of the dataset, by relative path (markers excluded: they record the run). */
    /** Checksums of the published files: those the day markers point at, relative to the dataset's root. */
    static TreeMap<String, String> checksums(Path root) throws Exception {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> days = Files.list(root)) {
            for (Path day : days.filter(d -> d.getFileName().toString().startsWith("day=")).toList()) {
                if (!Files.exists(day.resolve(PartitionMarker.FILE))) continue;
                PartitionMarker m = Json.read(day.resolve(PartitionMarker.FILE), PartitionMarker.class);
                Path data = m.data() == null ? day : root.resolve(m.data());
                try (Stream<Path> files = Files.list(data)) {
                    for (Path f : files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                        out.put(root.relativize(f).toString(), Hashing.sha256(f));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void runningTheSameDateAgainLeavesIdenticalFilesAndNoDuplicates() throws Exception {
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 5, 200, 1);
        Pipeline p = TestPipelines.load(spec(data), Map.of());
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, TestSpark::session, l -> {});
        runner.run(p, D, RunOptions.DEFAULT);
        Catalog c = new Catalog(TestSpark.session(), p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "t");
        Path root = Path.of(java.net.URI.create(c.location("curated")));
        TreeMap<String, String> before = checksums(root);
        assertEquals(5, before.size(), "one file per day");

        runner.run(p, D, new RunOptions(true, null, null));
        assertEquals(before, checksums(root), "a rerun writes nothing new");
        assertEquals(1000, c.partitioned("curated").read(START, D).count(), "no duplicate rows");
        assertEquals(1000, c.partitioned("curated").read(START, D).distinct().count());
    }

    @Test
    void sigkillWhileWritingLeavesTheLastGoodDaysAndARerunCompletesTheWork() throws Exception {
        // First load: small. Then the source grows large (new fingerprint), so the next run rewrites all five days.
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 5, 200, 1);
        Pipeline p = TestPipelines.load(spec(data), Map.of());
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, TestSpark::session, l -> {});
        runner.run(p, D, RunOptions.DEFAULT);
        Catalog c = new Catalog(TestSpark.session(), p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "t");
        Path root = Path.of(java.net.URI.create(c.location("curated")));
        TreeMap<String, String> good = checksums(root);
        var goodMarkers = c.partitioned("curated").markers();

        SyntheticFlights.frame(TestSpark.session(), START, 5, 60_000, 2).repartition(4).write().mode(SaveMode.Overwrite).parquet(data.toString());
        Process child = startRun(p.spec().file(), tmp.resolve("ws"), true);
        long deadline = System.currentTimeMillis() + 120_000;
        boolean staged = false;
        while (!staged && child.isAlive() && System.currentTimeMillis() < deadline) {
            // The writer registers its new version before writing a byte of it.
            try (Stream<Path> s = Files.isDirectory(root.resolve("_writers")) ? Files.list(root.resolve("_writers")) : Stream.empty()) {
                staged = s.findAny().isPresent();
            }
            if (!staged) Thread.sleep(20);
        }
        assertTrue(staged, "the child reached the write");
        new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
        child.waitFor(30, TimeUnit.SECONDS);

        PartitionedDataset curated = new Catalog(TestSpark.session(), p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "t").partitioned("curated");
        assertEquals(good, checksums(root), "the published days are the last good ones, byte for byte");
        assertEquals(goodMarkers, curated.markers());
        assertEquals(1000, curated.read(START, D).count());

        runner.run(p, D, RunOptions.DEFAULT);
        PartitionedDataset after = new Catalog(TestSpark.session(), p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "t").partitioned("curated");
        assertEquals(300_000, after.read(START, D).count(), "the rerun completed the rewrite, once");
        assertNotEquals(good, checksums(root));
    }

    private static Process startRun(Path spec, Path workspace, boolean force) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String opens : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
                "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar")) {
            cmd.add("--add-opens=java.base/" + opens + "=ALL-UNNAMED");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RunMain.class.getName(), spec.toString(), workspace.toString(),
                D.toString(), Boolean.toString(force)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File(workspace.getParent().toFile(), "child.log")).start();
    }
}
