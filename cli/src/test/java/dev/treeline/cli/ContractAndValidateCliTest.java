package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** treeline contract infer and treeline validate, through the command line. */
class ContractAndValidateCliTest {
    @TempDir Path tmp;

    @Test
    void inferredContractDescribesTheSampleAndValidatesIt() throws Exception {
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), java.time.LocalDate.of(2001, 1, 1), 12, 100, 3);
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
        CliTest.Result ok = CliTest.run("validate", tmp.resolve("pipeline.yaml").toString(), "--date", "2001-01-12",
                "--workspace", tmp.resolve("ws").toString(), "--mlflow-uri", "http://127.0.0.1:1");
        // No tracking server here: the command must say so, not fail halfway.
        assertEquals(ExitCode.SERVICE.code(), ok.code(), ok.err());
    }
}
