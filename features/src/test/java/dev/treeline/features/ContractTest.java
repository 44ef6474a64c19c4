package dev.treeline.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.treeline.pipelines.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validate step against contracts: per-row rules, day rules, drift, and what it publishes. */
class ContractTest {
    static final LocalDate START = LocalDate.of(2001, 1, 1);
    static final LocalDate D = START.plusDays(9);
    static final String COLUMNS = """
            columns:
              date: {type: timestamp, nullable: false}
              delay: {type: long, nullable: false, min: -120, max: 1440}
              distance: {type: long, nullable: false, min: 1}
              origin: {type: string, nullable: false, pattern: "^[A-Z]{3}$"}
              destination: {type: string, nullable: false}
            """;

    @TempDir Path tmp;
    SparkSession spark;
    PipelineRunner runner;

    @BeforeEach
    void setUp() {
        spark = TestSpark.session();
        runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, () -> spark, l -> {});
    }

    Path data(List<Row> extra, int perDay) {
        List<Row> rows = new ArrayList<>(SyntheticFlights.rows(START, 10, perDay, 5));
        rows.addAll(extra);
        Path dir = tmp.resolve("raw");
        spark.createDataFrame(rows, SyntheticFlights.SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir.toString());
        return dir;
    }

    Pipeline pipeline(Path data, String contract) {
        Path contractFile = tmp.resolve("spec/contract.yaml");
        try {
            Files.createDirectories(contractFile.getParent());
            Files.writeString(contractFile, contract);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), """
            pipeline: contracts
            datasets:
              raw: {path: %s}
              curated: {partitioned_by: day}
              valid: {partitioned_by: day}
              rejects: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated], params: {time_column: date, max_reject_ratio: 1.0}}
              - name: validate
                inputs: [curated]
                outputs: [valid, rejects, report]
                params: {contract: contract.yaml}
            """.formatted(data)), Map.of());
    }

    Catalog catalog(Pipeline p, RunOutcome o) {
        return new Catalog(spark, p.spec(), tmp.resolve("ws"), runner.store().runDir("contracts", D, o.state().runId), o.state().runId);
    }

    JsonNode report(Pipeline p, String runId) throws Exception {
        Path file = runner.store().runDir("contracts", D, runId).resolve("data/report/report.json");
        return Json.MAPPER.readTree(file.toFile());
    }

    static Row flight(LocalDateTime t, Long delay, long distance, String origin) {
        return RowFactory.create(t, delay, distance, origin, "ORD");
    }

    @Test
    void warnRulesKeepRowsAndFailRulesRejectThem() throws Exception {
        LocalDateTime t = D.atTime(10, 0);
        Pipeline p = pipeline(data(List.of(flight(t, 3000L, 300, "ATL"), flight(t, 5L, 300, "AT1")), 40),
                COLUMNS.replace("pattern: \"^[A-Z]{3}$\"}", "pattern: \"^[A-Z]{3}$\", severity: warn}") + "max_reject_ratio: 0.5\n");
        RunOutcome o = runner.run(p, D, RunOptions.DEFAULT);
        assertEquals(402.0, o.state().number("validate", "rows_in"));
        assertEquals(1.0, o.state().number("validate", "rows_rejected"));
        Row rejected = catalog(p, o).partitioned("rejects").read(List.of(D)).first();
        assertEquals("delay.max", rejected.getAs("rule"));
        assertEquals("delay = 3000 is above 1440", rejected.getAs("reject_reason"));
        assertEquals(3000L, (long) rejected.getAs("delay"), "the row is kept as it was");
        JsonNode r = report(p, o.state().runId);
        assertEquals("warn", r.path("status").asText());
        JsonNode patternRule = find(r.path("row_rules"), "rule", "origin.pattern");
        assertEquals("warn", patternRule.path("status").asText());
        assertEquals("1", patternRule.path("observed").asText());
        assertEquals(1, catalog(p, o).partitioned("valid").read(List.of(D)).filter("origin = 'AT1'").count(), "a warn rule keeps the row");
    }

    @Test
    void allNullColumnFailsItsNullRatioNamingColumnDayAndValue() {
        List<Row> extra = new ArrayList<>();
        Pipeline p = pipeline(data(extra, 40), COLUMNS.replace("destination: {type: string, nullable: false}",
                "destination: {type: string, max_null_ratio: 0.01}\n  gate: {type: string, max_null_ratio: 0.5}"));
        StepFailedException e = assertThrows(StepFailedException.class, () -> runner.run(p, D, RunOptions.DEFAULT));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().contains("has no column 'gate' that its contract names"), e.getMessage());
    }

    @Test
    void nullRatioAboveTheLimitStopsThePipelineAndWithholdsTheDay() throws Exception {
        List<Row> extra = new ArrayList<>();
        for (int i = 0; i < 40; i++) extra.add(RowFactory.create(D.atTime(12, 0), 5L, 300L, "ATL", null));
        Pipeline p = pipeline(data(extra, 40), COLUMNS.replace("destination: {type: string, nullable: false}",
                "destination: {type: string, max_null_ratio: 0.1}"));
        StepFailedException e = assertThrows(StepFailedException.class, () -> runner.run(p, D, RunOptions.DEFAULT));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().startsWith("step 'validate' failed: contract of 'curated' failed: max_null_ratio on column destination, 2001-01-10: "
                + "50.00% of 80 rows are null (limit 10.00%); report: "), e.getMessage());
        Catalog c = new Catalog(spark, p.spec(), tmp.resolve("ws"), tmp.resolve("x"), "x");
        assertFalse(c.partitioned("valid").markers().containsKey(D), "the failing day is not published as accepted");
        assertTrue(c.partitioned("valid").markers().containsKey(D.minusDays(1)), "the other days are");
    }

    @Test
    void duplicateKeysKeepTheFirstRowAndRejectTheRest() throws Exception {
        LocalDateTime t = D.atTime(10, 0);
        Pipeline p = pipeline(data(List.of(flight(t, 5L, 999, "ATL"), flight(t, 7L, 999, "ATL"), flight(t, 9L, 999, "ATL")), 40),
                COLUMNS + "unique: [[date, origin, distance]]\nmax_reject_ratio: 0.5\n");
        RunOutcome o = runner.run(p, D, RunOptions.DEFAULT);
        List<String> reasons = catalog(p, o).partitioned("rejects").read(List.of(D)).select("reject_reason").as(Encoders.STRING()).collectAsList();
        assertEquals(List.of("duplicate of key [date, origin, distance] = 2001-01-10 10:00:00,ATL,999",
                "duplicate of key [date, origin, distance] = 2001-01-10 10:00:00,ATL,999"), reasons);
        assertEquals(1, catalog(p, o).partitioned("valid").read(List.of(D)).filter("distance = 999").count());
    }

    @Test
    void nanAndInfinityBreakTheFiniteRuleOfDoubleColumns() throws Exception {
        Path dir = tmp.resolve("raw");
        spark.sql("select timestamp_ntz'2001-01-10 10:00:00' as date, double('NaN') as fare union all "
                + "select timestamp_ntz'2001-01-10 11:00:00', double('Infinity') union all select timestamp_ntz'2001-01-10 12:00:00', 12.5")
                .write().mode(SaveMode.Overwrite).parquet(dir.toString());
        Pipeline p = pipeline(dir, "columns:\n  date: {type: timestamp}\n  fare: {type: double}\nmax_reject_ratio: 1.0\n");
        RunOutcome o = runner.run(p, D, RunOptions.DEFAULT);
        List<String> reasons = catalog(p, o).partitioned("rejects").read(List.of(D)).orderBy("reject_reason").select("reject_reason")
                .as(Encoders.STRING()).collectAsList();
        assertEquals(List.of("fare is Infinity, not a finite number", "fare is NaN, not a finite number"), reasons);
    }

    @Test
    void tooFewRowsAndStaleDataFailTheDay() throws Exception {
        Pipeline p = pipeline(data(List.of(), 40), COLUMNS + "rows: {min: 50}\n");
        StepFailedException e = assertThrows(StepFailedException.class, () -> runner.run(p, D, RunOptions.DEFAULT));
        assertTrue(e.getMessage().contains("contract of 'curated' failed: rows on 2001-01-01: 40 rows, the contract wants >= 50 (and 9 more)"), e.getMessage());

        Pipeline fresh = pipeline(data(List.of(), 40), COLUMNS + "freshness: {column: date, max_age_hours: 0.5}\n");
        runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws-fresh")), NoTracking::new, () -> spark, l -> {});
        StepFailedException stale = assertThrows(StepFailedException.class, () -> runner.run(fresh, D, RunOptions.DEFAULT));
        assertTrue(stale.getMessage().contains("freshness of column date on 2001-01-10: latest value 2001-01-10T"), stale.getMessage());
        assertTrue(stale.getMessage().contains(" is older than 2001-01-10T23:30 (max age 0.5 h)"), stale.getMessage());
    }

    @Test
    void shiftedDistributionFailsDriftAndTheReportShowsTheDriftTable() throws Exception {
        List<Row> shifted = new ArrayList<>();
        for (int i = 0; i < 200; i++) shifted.add(flight(D.atTime(8 + i % 12, i % 60), 5L, 4000 + i, i % 2 == 0 ? "XXA" : "XXB"));
        Path dir = tmp.resolve("raw");
        List<Row> rows = new ArrayList<>(SyntheticFlights.rows(START, 9, 200, 5));
        rows.addAll(shifted);
        spark.createDataFrame(rows, SyntheticFlights.SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir.toString());
        Pipeline p = pipeline(dir, COLUMNS + """
            drift:
              baseline_days: 7
              columns:
                distance: {psi: {warn: 0.1, fail: 0.25}}
                origin: {psi: {warn: 0.1, fail: 5.0}, new_categories: {warn: 0.01, fail: 0.5}}
            """);
        StepFailedException e = assertThrows(StepFailedException.class, () -> runner.run(p, D, RunOptions.DEFAULT));
        assertTrue(e.getMessage().contains("contract of 'curated' failed: drift of column distance on 2001-01-10: PSI "), e.getMessage());
        Path html;
        try (var runs = Files.list(runner.store().dateDir("contracts", D))) {
            Path runDir = runs.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().equals("history")).findFirst().orElseThrow();
            html = runDir.resolve("data/report/report.html");
            JsonNode r = Json.MAPPER.readTree(runDir.resolve("data/report/report.json").toFile());
            assertEquals("fail", r.path("status").asText());
            JsonNode origin = find(r.path("drift"), "column", "origin");
            assertEquals(1.0, origin.path("new_category_rate").asDouble(), 1e-9, "every origin of the day is new");
            assertEquals("fail", origin.path("status").asText());
            assertTrue(find(r.path("drift"), "column", "distance").path("psi").asDouble() > 0.25);
            assertEquals("2001-01-03 to 2001-01-09 (7 days)", r.path("drift_baseline").asText());
        }
        String page = Files.readString(html);
        assertTrue(page.contains("<h2 id=\"drift\">Drift</h2>"));
        assertTrue(page.contains("<td>origin</td><td>categorical</td>"), "the drift table lists origin");
        assertTrue(page.contains("<td class=\"fail\">fail</td>"));
    }

    @Test
    void cleanDaysAreLinkedNotRewrittenAndRerunsRecheckTheDay() throws Exception {
        Pipeline p = pipeline(data(List.of(), 30), COLUMNS);
        RunOutcome o = runner.run(p, D, RunOptions.DEFAULT);
        Catalog c = catalog(p, o);
        // Each day's marker points at its files, in the version of the run that wrote them.
        Path curatedDay = Path.of(java.net.URI.create(c.location("curated"))).resolve(c.partitioned("curated").marker(D).data());
        Path validDay = Path.of(java.net.URI.create(c.location("valid"))).resolve(c.partitioned("valid").marker(D).data());
        Path curatedFile;
        try (var f = Files.list(curatedDay)) {
            curatedFile = f.filter(x -> x.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
        }
        Path validFile = validDay.resolve(curatedFile.getFileName());
        assertEquals(Files.getAttribute(curatedFile, "unix:ino"), Files.getAttribute(validFile, "unix:ino"), "the same file, linked");
        assertEquals(10.0, o.state().number("validate", "days_checked"));

        RunOutcome again = runner.run(p, D, new RunOptions(false, "validate", null));
        assertEquals(0.0, again.state().number("validate", "days_checked"), "nothing to re-validate");
    }

    @Test
    void contractMistakesAreReportedWithFileLineAndKey() {
        SpecException e = assertThrows(SpecException.class, () -> pipeline(tmp, COLUMNS + "drift: {columns: {gate: {psi: {warn: 0.1}}}}\n"));
        assertTrue(e.getMessage().endsWith("contract.yaml:7: drift.columns.gate: drift on 'gate', which is not among columns [date, delay, distance, origin, destination]"),
                e.getMessage());
        SpecException sev = assertThrows(SpecException.class, () -> pipeline(tmp, COLUMNS.replace("min: 1}", "min: 1, severity: error}")));
        assertTrue(sev.getMessage().contains("columns.distance.severity: 'error' is not allowed; expected one of: fail, warn"), sev.getMessage());
    }

    static JsonNode find(JsonNode array, String key, String value) {
        for (JsonNode n : array) if (n.path(key).asText().equals(value)) return n;
        throw new AssertionError("no " + key + "=" + value + " in " + array);
    }
}
