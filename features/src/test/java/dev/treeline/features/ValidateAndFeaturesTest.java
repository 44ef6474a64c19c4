package dev.treeline.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.validate.Outcome;
import dev.treeline.features.validate.ReportWriter;
import dev.treeline.features.validate.ValidationReport;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.run.StepFailedException;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecException;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateAndFeaturesTest {
    static final LocalDate START = LocalDate.of(2001, 1, 1);
    @TempDir Path tmp;
    SparkSession spark;

    @BeforeEach
    void setUp() {
        spark = TestSpark.session();
    }

    /** Synthetic flights plus broken rows: a null delay, a negative distance, a lower-case airport. */
    Path dataWithBadRows(int extraBad) {
        List<Row> rows = new ArrayList<>(SyntheticFlights.rows(START, 12, 50, 3));
        LocalDateTime t = LocalDateTime.of(2001, 1, 5, 10, 0);
        rows.add(RowFactory.create(t, null, 500L, "ATL", "ORD"));
        rows.add(RowFactory.create(t, 5L, -3L, "ATL", "ORD"));
        for (int i = 0; i < extraBad; i++) rows.add(RowFactory.create(t, 5L, 300L, "atl", "ORD"));
        Path dir = tmp.resolve("raw");
        spark.createDataFrame(rows, SyntheticFlights.SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir.toString());
        return dir;
    }

    Pipeline pipeline(Path data, String toStep) {
        String spec = TestPipelines.flightsSpecThroughFeatures(data, 6);
        return TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), spec), Map.of());
    }

    Catalog catalog(Pipeline p, RunOutcome o, LocalDate date, PipelineRunner r) {
        return new Catalog(spark, p.spec(), tmp.resolve("ws"), r.store().runDir(p.spec().name(), date, o.state().runId), o.state().runId);
    }

    @Test
    void everyRowIsAcceptedOrRejectedWithAReason() {
        Pipeline p = pipeline(dataWithBadRows(1), null);
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, () -> spark, l -> {});
        LocalDate date = START.plusDays(11);
        RunOutcome o = runner.run(p, date, RunOptions.DEFAULT);
        assertEquals(603.0, o.state().number("validate", "rows_in"));
        assertEquals(600.0, o.state().number("validate", "rows_accepted"));
        assertEquals(3.0, o.state().number("validate", "rows_rejected"));
        Catalog c = catalog(p, o, date, runner);
        List<String> reasons = c.partitioned("flights_rejects").read(START, date).orderBy("reject_reason")
                .select("reject_reason").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertEquals(List.of("delay is null", "distance = -3 is below 1", "origin = 'atl' does not match ^[A-Z]{3}$"), reasons);
        assertEquals(600, c.partitioned("flights_valid").read(START, date).count());

        // The report is a dataset of the run, read back through the catalog.
        ValidationReport report = ReportWriter.read(c, p.spec().step("validate"));
        assertEquals(603, report.rowsIn);
        assertEquals(3, report.rowsRejected);
        assertTrue(Files.isRegularFile(ReportWriter.html(c, p.spec().step("validate"))), "report.html beside report.json");

        // Features: label from delay, days assigned to splits by the window (6 train, 3 validation, 1 holdout).
        var splits = c.read("training_features").groupBy("split").count().collectAsList();
        Map<String, Long> bySplit = new java.util.HashMap<>();
        splits.forEach(r -> bySplit.put(r.getString(0), r.getLong(1)));
        assertEquals(Map.of("train", 300L, "validation", 150L, "holdout", 50L), bySplit);
        assertEquals(0, c.read("training_features").filter(functions.col("day").lt(functions.lit(java.sql.Date.valueOf(date.minusDays(9))))).count(),
                "days before the window are not used");
        FeatureMeta meta = readMeta(c);
        assertEquals(List.of("date", "distance", "origin", "destination"), meta.inputColumns());
    }

    @Test
    void aSpecThatListsNoReportGetsTheRunDatasetValidateReport() {
        String spec = TestPipelines.flightsSpecThroughFeatures(tmp.resolve("raw"), 6).replace("flights_rejects, validation_report]", "flights_rejects]");
        Pipeline p = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), spec), Map.of());
        assertEquals(List.of("flights_valid", "flights_rejects", "validate.report"), p.spec().step("validate").outputs());
        assertEquals("directory", p.spec().dataset("validate.report").format());
        assertTrue(new Catalog(spark, p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "r").location("validate.report").endsWith("/run/data/validate.report"));
    }

    @Test
    void tooManyRejectsStopThePipelineAndKeepTheRejects() {
        Pipeline p = pipeline(dataWithBadRows(40), null);
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, () -> spark, l -> {});
        StepFailedException e = assertThrows(StepFailedException.class, () -> runner.run(p, START.plusDays(11), RunOptions.DEFAULT));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().startsWith("step 'validate' failed: contract of 'flights' failed: max_reject_ratio: 42 of 642 rows (6.54%) were rejected "
                + "(limit 5.00%); most common: origin.pattern (40 rows); the rejected rows are kept with their reasons; report: "), e.getMessage());
        Catalog c = new Catalog(spark, p.spec(), tmp.resolve("ws"), tmp.resolve("x"), "x");
        assertEquals(42, c.partitioned("flights_rejects").read(START, START.plusDays(11)).count(), "rejects are published for inspection");
        assertTrue(c.partitioned("flights_valid").markers().isEmpty(), "accepted rows are not published");
        String runId = runner.store().load(p.spec().name(), START.plusDays(11)).runId;
        Catalog run = new Catalog(spark, p.spec(), tmp.resolve("ws"), runner.store().runDir(p.spec().name(), START.plusDays(11), runId), runId);
        assertEquals(Outcome.FAIL, ReportWriter.read(run, p.spec().step("validate")).status, "a failing contract still publishes its report");
    }

    @Test
    void labelThatUsesAFeatureColumnIsRejectedAtLoad() {
        String spec = TestPipelines.flightsSpecThroughFeatures(tmp, 6).replace("label: delay > 15", "label: distance > 1000");
        SpecException e = assertThrows(SpecException.class, () -> TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("s"), spec), Map.of()));
        assertTrue(e.getMessage().endsWith("steps[2].params.features.distance: feature 'distance' is used by the label (distance > 1000); "
                + "a feature must not be derived from the label. Use a point-in-time aggregate (aggregates:) to learn from earlier days' labels"),
                e.getMessage());
    }

    @Test
    void unknownCalendarFeatureIsRejectedAtLoad() {
        String spec = TestPipelines.flightsSpecThroughFeatures(tmp, 6).replace("calendar: [month,", "calendar: [mnth,");
        SpecException e = assertThrows(SpecException.class, () -> TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("s"), spec), Map.of()));
        assertTrue(e.getMessage().contains("steps[2].params.calendar[0]: 'mnth' is not allowed (did you mean 'month'?)"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    static FeatureMeta readMeta(Catalog c) {
        try {
            return FeatureMeta.read(c.directory("feature_pipeline"));
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
