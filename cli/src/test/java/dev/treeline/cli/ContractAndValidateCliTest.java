package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.registry.testing.LocalStackFixture;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** treeline contract infer and treeline validate, through the command line. */
class ContractAndValidateCliTest {
    @TempDir Path tmp;

    @Test
    void inferredContractDescribesTheSampleAcceptsItAndRejectsWhatItNeverHad() throws Exception {
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), LocalDate.of(2001, 1, 1), 12, 100, 3);
        Path contract = tmp.resolve("contract.yaml");
        CliTest.Result inferred = CliTest.run("contract", "infer", data.toString(), "--out", contract.toString());
        assertEquals(0, inferred.code(), inferred.err());
        String yaml = Files.readString(contract);
        assertTrue(yaml.contains("  origin: {type: string, nullable: false, allowed: [ATL, BOS, DEN, DFW, LAS, LAX, ORD, PHX, SEA, SFO]}"), yaml);
        assertTrue(yaml.contains("  date: {type: timestamp, nullable: false}"), yaml);
        assertTrue(yaml.contains("rows:   # per day of date: the sample has 100 to 100\n  min: 50\n  max: 200"), yaml);

        Files.writeString(tmp.resolve("pipeline.yaml"), """
            pipeline: cli-validate
            datasets:
              raw: {path: %s}
              curated: {partitioned_by: day}
              valid: {partitioned_by: day}
              rejects: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated], params: {time_column: date, history_start: 2001-01-01}}
              - {name: validate, inputs: [curated], outputs: [valid, rejects, report], params: {contract: contract.yaml}}
            """.formatted(data));
        String pipeline = tmp.resolve("pipeline.yaml").toString();
        CliTest.Result unreachable = CliTest.run("validate", pipeline, "--date", "2001-01-12", "--workspace", tmp.resolve("ws-x").toString(),
                "--mlflow-uri", "http://127.0.0.1:1");
        // No tracking server: the command says so, and stops before any step.
        assertEquals(ExitCode.SERVICE.code(), unreachable.code(), unreachable.err());
        assertTrue(unreachable.err().startsWith("error: MLflow is not reachable at http://127.0.0.1:1"), unreachable.err());

        // The data the contract was inferred from meets it.
        Path ws = tmp.resolve("ws");
        String mlflow = LocalStackFixture.get().environment(ws).mlflowUri();
        CliTest.Result ok = CliTest.run("validate", pipeline, "--date", "2001-01-12", "--workspace", ws.toString(), "--mlflow-uri", mlflow);
        assertEquals(0, ok.code(), ok.err());
        // Twelve days of 100 random rows: drift between days may warn, never reject.
        assertTrue(ok.out().matches("(?sm).*^curated 2001-01-12: (PASS|WARN) · 1,200 rows checked = 1,200 accepted \\+ 0 rejected$.*"), ok.out());

        // A new day with an airport the sample never had: the inferred allowed list rejects that row, with the reason.
        List<Row> day = new ArrayList<>(SyntheticFlights.rows(LocalDate.of(2001, 1, 13), 1, 99, 4));
        day.add(RowFactory.create(LocalDateTime.of(2001, 1, 13, 9, 30), 7L, 640L, "ZZZ", "ORD"));
        TestSpark.session().createDataFrame(day, SyntheticFlights.SCHEMA).coalesce(1).write().mode(SaveMode.Append).parquet(data.toString());
        CliTest.Result next = CliTest.run("validate", pipeline, "--date", "2001-01-13", "--workspace", ws.toString(), "--mlflow-uri", mlflow);
        assertEquals(0, next.code(), next.err() + next.out());
        assertTrue(next.out().matches("(?sm).*^curated 2001-01-13: (PASS|WARN) · ([\\d,]+) rows checked = ([\\d,]+) accepted \\+ 1 rejected$.*"), next.out());
        List<String> reasons = new Catalog(TestSpark.session(), TestPipelines.load(Path.of(pipeline), Map.of()).spec(), ws, tmp.resolve("x"), "x")
                .partitioned("rejects").read(LocalDate.of(2001, 1, 13), LocalDate.of(2001, 1, 13))
                .select("reject_reason").as(Encoders.STRING()).collectAsList();
        assertEquals(1, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).startsWith("origin = 'ZZZ' is not one of"), reasons.toString());
    }
}
