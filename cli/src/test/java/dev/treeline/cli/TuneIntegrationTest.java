package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.testing.LocalStackFixture;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code treeline tune} against a real MLflow server: the trials table, nested runs, the best parameters on the parent run. */
class TuneIntegrationTest {
    static final LocalDate START = LocalDate.of(2001, 4, 1);
    static final LocalDate DATE = START.plusDays(19);

    @TempDir static Path tmp;
    static Environment env;
    static String pipeline;
    static Path spec;
    static CliTest.Result table;

    @BeforeAll
    static void tune() {
        env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        pipeline = "tune-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 22, 300, 5);
        String yaml = TestPipelines.flightsSpec(data, 14, null).replace("pipeline: flights-test", "pipeline: " + pipeline)
                .replace("name: flights-test", "name: " + pipeline);
        spec = TestPipelines.writeSpec(tmp.resolve("spec"), yaml);
        table = CliTest.run("tune", spec.toString(), "--date", DATE.toString(), "--trials", "4", "--method", "random",
                "--workspace", env.workspace().toString(), "--mlflow-uri", env.mlflowUri());
    }

    @Test
    void printsEveryTrialAndTheBestParameters() {
        assertEquals(0, table.code(), table.err() + table.out());
        String out = table.out();
        assertTrue(out.contains("trial  state") && out.contains("validation logloss"), out);
        for (int i = 0; i < 4; i++) {
            String row = "\\*?" + i + "\\s+(complete|pruned)\\s.*";
            assertTrue(out.lines().anyMatch(l -> l.matches(row)), "trial " + i + ": " + out);
        }
        assertTrue(out.contains("best: trial "), out);
        assertTrue(out.contains("to keep them, set in step 'train' params: {") && out.contains("max_depth: "), out);
    }

    @Test
    void everyTrialIsANestedRunAndTheParentHasTheBestParameters() {
        assertEquals(0, table.code(), table.err() + table.out());
        try (MlflowConnection m = new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE)) {
            JsonNode exp = m.rest().get("experiments/get-by-name", Map.of("experiment_name", pipeline)).path("experiment");
            JsonNode runs = m.rest().post("runs/search", Map.of("experiment_ids", List.of(exp.path("experiment_id").asText()))).path("runs");
            String url = table.out().lines().filter(l -> l.startsWith("MLflow run: ")).findFirst().orElseThrow();
            String parentId = url.substring(url.lastIndexOf('/') + 1);
            List<JsonNode> parents = new ArrayList<>();
            List<JsonNode> children = new ArrayList<>();
            for (JsonNode r : runs) {
                if (r.path("info").path("run_id").asText().equals(parentId)) parents.add(r);
                if (parentId.equals(tag(r, "mlflow.parentRunId"))) children.add(r);
            }
            assertEquals(1, parents.size(), "the study's run");
            assertEquals(4, children.size(), "one nested run per trial");
            for (JsonNode c : children) {
                assertEquals(parentId, tag(c, "mlflow.parentRunId"));
                assertEquals("FINISHED", c.path("info").path("status").asText());
                assertTrue(param(c, "max_depth") != null && param(c, "eta") != null && param(c, "trial") != null, c.toString());
                assertTrue(metric(c, "best_validation_logloss") > 0, c.toString());
            }
            JsonNode parent = parents.get(0);
            assertEquals("random", param(parent, "tune_method"));
            double best = metric(parent, "tune_best_validation_logloss");
            double childBest = children.stream().filter(c -> metric(c, "pruned") == 0).mapToDouble(c -> metric(c, "best_validation_logloss")).min().orElseThrow();
            assertEquals(childBest, best, 1e-9, "the parent records the best trial");
            assertTrue(best <= metric(parent, "tune_start_validation_logloss"), "never worse than the spec's own parameters");
        }
    }

    @Test
    void jsonOutputIsOneObjectWithTheTrials() throws Exception {
        CliTest.Result json = CliTest.run("tune", spec.toString(), "--date", DATE.toString(), "--trials", "2", "--method", "random", "--output", "json",
                "--workspace", env.workspace().toString(), "--mlflow-uri", env.mlflowUri());
        assertEquals(0, json.code(), json.err() + json.out());
        String last = json.out().lines().reduce((a, b) -> b).orElseThrow();
        JsonNode study = Json.MAPPER.readTree(last);
        assertEquals(2, study.path("trials").size());
        assertEquals("logloss", study.path("metric").asText());
        assertTrue(study.path("best").path("params").has("eta"));
    }

    static String tag(JsonNode run, String key) {
        return PipelineIntegrationTest.kv(run.path("data").path("tags")).get(key);
    }

    static String param(JsonNode run, String key) {
        return PipelineIntegrationTest.kv(run.path("data").path("params")).get(key);
    }

    static double metric(JsonNode run, String key) {
        for (JsonNode t : run.path("data").path("metrics")) if (t.path("key").asText().equals(key)) return t.path("value").asDouble();
        return Double.NaN;
    }
}
