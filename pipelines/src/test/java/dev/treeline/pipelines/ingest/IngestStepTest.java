package dev.treeline.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.StepFailedException;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestStepTest {
    static final LocalDate START = LocalDate.of(2001, 1, 1);
    @TempDir Path tmp;
    SparkSession spark;
    List<String> lines = new ArrayList<>();

    @BeforeEach
    void setUp() {
        spark = TestSpark.session();
    }

    Pipeline pipeline(Path data, String timeColumn) {
        return TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), """
            pipeline: ingest-test
            datasets:
              raw: {path: %s}
              curated: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated], params: {time_column: %s}}
            """.formatted(data, timeColumn)), Map.of());
    }

    PartitionedDataset curated(Pipeline p) {
        return new Catalog(spark, p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "t").partitioned("curated");
    }

    @Test
    void keepsRowsUpToTheLogicalDateOnePartitionPerDayAndWritesOnlyNewDaysLater() {
        Path data = SyntheticFlights.write(spark, tmp.resolve("raw"), START, 10, 20, 5);
        Pipeline p = pipeline(data, "date");
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, () -> spark, lines::add);

        var first = runner.run(p, START.plusDays(5), RunOptions.DEFAULT);
        assertEquals(6, curated(p).markers().size(), "days 1..6, nothing after the logical date");
        assertEquals(120, curated(p).read(START, START.plusDays(9)).count());
        assertEquals(6.0, first.state().number("ingest", "days_written"));

        var next = runner.run(p, START.plusDays(6), RunOptions.DEFAULT);
        assertEquals(1.0, next.state().number("ingest", "days_written"), "the nightly run writes the new day only");
        assertEquals(20.0, next.state().number("ingest", "rows_accepted"));
        assertEquals(7, curated(p).markers().size());
    }

    @Test
    void missingTimeColumnFailsNamingColumnAndFix() {
        Path data = SyntheticFlights.write(spark, tmp.resolve("raw"), START, 2, 5, 5);
        Pipeline p = pipeline(data, "when");
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, () -> spark, lines::add);
        StepFailedException e = assertThrows(StepFailedException.class, () -> runner.run(p, START, RunOptions.DEFAULT));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().startsWith("step 'ingest' failed: dataset 'raw' has no column 'when' (columns: date, delay, distance, origin, destination); fix params.time_column of step 'ingest' in "),
                e.getMessage());
    }

    @Test
    void missingSourceFailsNamingDatasetAndPath() {
        Pipeline p = pipeline(tmp.resolve("nowhere"), "date");
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, () -> spark, lines::add);
        StepFailedException e = assertThrows(StepFailedException.class, () -> runner.run(p, START, RunOptions.DEFAULT));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().contains("dataset 'raw' (" + tmp.resolve("nowhere") + "): "), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist; check datasets.raw.path in "), e.getMessage());
    }
}
