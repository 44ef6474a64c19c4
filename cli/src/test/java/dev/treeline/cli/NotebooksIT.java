package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.local.Installer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * notebooks/model_review.ipynb and notebooks/data_quality.ipynb run top to bottom (nbclient, a real
 * Jupyter kernel) against the local stack after the shared runs; any cell error fails the test. The
 * executed copies are kept in target/notebooks/ and their outputs checked.
 */
class NotebooksIT {
    static final Path NOTEBOOKS = Path.of("..", "notebooks").toAbsolutePath().normalize();
    static final Path OUT = Path.of("target", "notebooks").toAbsolutePath();
    static ClusterRuns runs;
    static String output;

    @BeforeAll
    static void runNotebooks() throws Exception {
        runs = ClusterRuns.get();
        Path venv = new Installer(EnvironmentResolver.system().cacheDir(), Progress.to(System.out))
                .toolVenv("notebooks", "notebooks.txt", "the notebooks' Python (MLflow client, pandas, matplotlib, a Jupyter kernel)");
        Path log = runs.dir.resolve("logs").resolve("notebooks.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(venv.resolve("bin/python").toString(), NOTEBOOKS.resolve("run.py").toString(), OUT.toString(),
                NOTEBOOKS.resolve("model_review.ipynb").toString(), NOTEBOOKS.resolve("data_quality.ipynb").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MLFLOW_TRACKING_URI", runs.clusterEnv.mlflowUri());
        pb.environment().put("TREELINE_MODEL", runs.clusterName);
        pb.environment().put("TREELINE_PIPELINE", runs.clusterName);
        pb.environment().put("TREELINE_HOME", runs.clusterEnv.workspace().toString());
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the notebooks did not finish in 5 minutes");
        output = Files.readString(log);
        assertEquals(0, p.exitValue(), "a notebook cell failed:\n" + output);
    }

    /** Every output of the executed notebook as text (streams, text/plain, text/html, text/markdown), and the PNG count. */
    record Outputs(String text, int images, int errors) {}

    static Outputs outputs(String name) throws Exception {
        JsonNode nb = Json.MAPPER.readTree(OUT.resolve(name).toFile());
        StringBuilder text = new StringBuilder();
        int images = 0;
        int errors = 0;
        for (JsonNode cell : nb.path("cells")) {
            for (JsonNode o : cell.path("outputs")) {
                if (o.path("output_type").asText().equals("error")) errors++;
                append(text, o.path("text"));
                for (String mime : List.of("text/plain", "text/html", "text/markdown")) append(text, o.path("data").path(mime));
                if (o.path("data").has("image/png")) images++;
            }
        }
        return new Outputs(text.toString(), images, errors);
    }

    private static void append(StringBuilder sb, JsonNode n) {
        if (n.isArray()) n.forEach(x -> sb.append(x.asText()));
        else if (!n.isMissingNode()) sb.append(n.asText());
        sb.append('\n');
    }

    @Test
    void modelReviewComparesChampionAndChallengerAndShowsTheRouting() throws Exception {
        assertTrue(output.contains("model_review.ipynb: 8 code cells ran"), output);
        Outputs o = outputs("model_review.ipynb");
        assertEquals(0, o.errors());
        assertTrue(o.text().contains("champion: version 1, challenger: version 2"), o.text());
        // The comparison table: the paired difference and its 95% CI for each metric.
        assertTrue(o.text().contains("95% CI low") && o.text().contains("log loss") && o.text().contains("Brier score"), o.text());
        assertTrue(o.text().contains("Gate: passed"), o.text());
        assertTrue(o.text().contains("curves of: candidate, champion v1"), o.text());
        assertTrue(o.text().contains("challenger AUC") && o.text().contains("champion AUC"), "the slice table: " + o.text());
        assertTrue(o.text().contains("total gain") && o.text().contains("mean |SHAP|"), o.text());
        Matcher ab = Pattern.compile("A/B test \\S+ running since \\S+: champion v1 90% / challenger v2 10%").matcher(o.text());
        assertTrue(ab.find(), "the routing: " + o.text());
        assertTrue(o.images() >= 2, "ROC and calibration, and feature importance, are drawn: " + o.images());
    }

    @Test
    void dataQualityShowsTheValidationReportsAndDriftOfTheLastRuns() throws Exception {
        Outputs o = outputs("data_quality.ipynb");
        assertEquals(0, o.errors());
        Matcher m = Pattern.compile("(\\d+) validation report\\(s\\) of " + Pattern.quote(runs.clusterName)).matcher(o.text());
        assertTrue(m.find(), o.text());
        assertTrue(Integer.parseInt(m.group(1)) >= 2, o.text());
        assertTrue(o.text().contains(ClusterRuns.D1.toString()) && o.text().contains(ClusterRuns.D2.toString()), o.text());
        assertTrue(o.text().contains("reject %") && o.text().contains("PSI"), o.text());
        assertTrue(o.images() >= 1, "the PSI chart is drawn");
    }
}
