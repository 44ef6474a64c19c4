package dev.treeline.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.StepFailedException;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workspace on a real file system that fills up (a 1 MB tmpfs, mounted by the test; it needs root, as
 * the suite has on its Debian machines): the run fails with one line saying so, the published days stay
 * the last good ones, the failed write gives its space back, and after space is freed a rerun completes.
 */
class DiskFullTest {
    static final LocalDate START = LocalDate.of(2001, 1, 1);
    static final LocalDate D = START.plusDays(4);

    @TempDir Path tmp;

    @Test
    void aFullDiskFailsTheRunInOneLineKeepsTheLastGoodDaysAndARerunCompletesOnceThereIsSpace() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small.toString()) == 0,
                "mounting a small file system needs root");
        try {
            Path ws = small.resolve("ws");
            Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 5, 200, 1);
            Pipeline p = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), """
                pipeline: full
                datasets:
                  raw: {path: %s}
                  curated: {partitioned_by: day}
                  quarantine: {partitioned_by: day}
                steps:
                  - {name: ingest, inputs: [raw], outputs: [curated, quarantine], params: {time_column: date, window_days: 5}}
                """.formatted(data)), Map.of());
            PipelineRunner runner = new PipelineRunner(TestPipelines.env(ws), NoTracking::new, TestSpark::session, l -> {});
            runner.run(p, D, RunOptions.DEFAULT);
            TreeMap<LocalDate, PartitionMarker> good = curated(p, ws).markers();

            // The source grows past what the disk holds.
            SyntheticFlights.frame(TestSpark.session(), START, 5, 100_000, 2).repartition(2).write().mode(SaveMode.Overwrite).parquet(data.toString());
            StepFailedException e = assertThrows(StepFailedException.class, () -> runner.run(p, D, new RunOptions(true, null, null)));
            assertEquals(ExitCode.FAILURE, e.exitCode());
            assertEquals("step 'ingest' failed: no space left on the device holding the workspace (" + ws + ") or the step's outputs; free space"
                    + " and run the date again (published data is untouched)", e.getMessage());

            PartitionedDataset curated = curated(p, ws);
            assertEquals(good, curated.markers(), "the published days are the last good ones");
            assertEquals(1000, curated.read(START, D).count());
            Path root = Path.of(java.net.URI.create(new Catalog(TestSpark.session(), p.spec(), ws, tmp.resolve("run"), "t").location("curated")));
            try (Stream<Path> versions = Files.list(root.resolve("_versions")); Stream<Path> all = Files.walk(root)) {
                assertEquals(1, versions.count(), "the failed write's version is gone, its space given back: " + all.map(root::relativize).toList());
            }
            try (Stream<Path> writers = Files.isDirectory(root.resolve("_writers")) ? Files.list(root.resolve("_writers")) : Stream.empty()) {
                assertFalse(writers.findAny().isPresent());
            }

            assertEquals(0, run("mount", "-o", "remount,size=256m", small.toString()));
            runner.run(p, D, new RunOptions(true, null, null));
            assertEquals(500_000, curated(p, ws).read(START, D).count(), "the rerun completed the rewrite, once");
        } finally {
            run("umount", "-l", small.toString());
        }
    }

    private PartitionedDataset curated(Pipeline p, Path ws) {
        return new Catalog(TestSpark.session(), p.spec(), ws, tmp.resolve("run"), "t").partitioned("curated");
    }

    private static int run(String... cmd) {
        try {
            Process pr = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return pr.waitFor();
        } catch (Exception e) {
            return -1;
        }
    }
}
