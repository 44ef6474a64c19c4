package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The MLflow UI in a real browser after the shared runs: e2e/mlflow-ui/review.mjs drives Debian's
 * Chromium headless (playwright-core from npm) through the registered model, the champion's and the
 * challenger's version pages and the champion's run, and saves screenshots to target/screenshots/mlflow-ui/.
 */
class MlflowUiIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path E2E = Path.of("..", "e2e", "mlflow-ui").toAbsolutePath().normalize();

    @Test
    void aReviewerSeesTheComparisonTableAliasesApprovalTagsAndPlots() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: apt-get install chromium (./scripts/test installs it)");
        ClusterRuns runs = ClusterRuns.get();
        Map<String, Object> cfg = new LinkedHashMap<>();
        try (MlflowConnection m = new MlflowConnection(runs.clusterEnv.mlflowUri(), MlflowCredentials.NONE)) {
            Map<String, String> aliases = m.registry().aliases(runs.clusterName);
            String champion = aliases.get("champion");
            String challenger = aliases.get("challenger");
            assertEquals("1", champion, aliases.toString());
            assertEquals("2", challenger, aliases.toString());
            var championVersion = m.registry().version(runs.clusterName, champion);
            var challengerVersion = m.registry().version(runs.clusterName, challenger);
            // What the registry holds, which the pages must show.
            assertEquals("Approved", championVersion.tags().get("approval_status"));
            assertEquals("Approved", challengerVersion.tags().get("approval_status"));
            assertEquals("passed", challengerVersion.tags().get("validation_status"));
            String experiment = m.rest().get("experiments/get-by-name", Map.of("experiment_name", runs.clusterName)).path("experiment")
                    .path("experiment_id").asText();
            cfg.put("mlflowUrl", runs.clusterEnv.mlflowUri());
            // The link Treeline prints (the demo's "MLflow UI:" line), and the champion run's AUC as the table starts it.
            cfg.put("runsUrl", dev.treeline.registry.mlflow.ReviewView.runs(runs.clusterEnv.mlflowUri(), experiment));
            cfg.put("championAuc", Double.toString(metric(m, championVersion.runId(), "holdout_auc")).substring(0, 6));
            cfg.put("model", runs.clusterName);
            cfg.put("champion", champion);
            cfg.put("challenger", challenger);
            cfg.put("championRunId", championVersion.runId());
            cfg.put("experimentId", experiment);
            cfg.put("tags", Map.of(
                    champion, Map.of("approval_status", "Approved", "validation_status", championVersion.tags().get("validation_status")),
                    challenger, Map.of("approval_status", "Approved", "validation_status", "passed", "approval_by", challengerVersion.tags().get("approval_by"))));
        }
        Path out = Path.of("target", "screenshots", "mlflow-ui").toAbsolutePath();
        cfg.put("outDir", out.toString());
        cfg.put("chromium", CHROMIUM.toString());
        Path config = runs.dir.resolve("mlflow-ui.json");
        Json.writeAtomically(config, cfg);

        Path modules = playwright();
        Path log = runs.dir.resolve("logs").resolve("mlflow-ui.log");
        Files.createDirectories(log.getParent());
        // ES modules resolve imports next to the script: run a copy beside the installed node_modules.
        Path script = Files.copy(E2E.resolve("review.mjs"), modules.getParent().resolve("review.mjs"), StandardCopyOption.REPLACE_EXISTING);
        ProcessBuilder pb = new ProcessBuilder("node", script.toString(), config.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.directory(modules.getParent().toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(4, TimeUnit.MINUTES), "the browser test did not end in 4 minutes:\n" + Files.readString(log));
        String output = Files.readString(log);
        System.out.println(output);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("all MLflow UI checks passed"), output);
        for (String shot : List.of("00-experiment-runs.png", "01-registered-model.png", "02-champion-version-1.png", "03-challenger-version-2.png", "04-champion-run-roc.png")) {
            Path f = out.resolve(shot);
            assertTrue(Files.size(f) > 20_000, f + " is a real screenshot");
            byte[] head = Files.readAllBytes(f);
            assertEquals((byte) 0x89, head[0], f + " is a PNG");
        }
    }

    static double metric(MlflowConnection m, String runId, String key) {
        for (com.fasterxml.jackson.databind.JsonNode n : m.rest().get("runs/get", Map.of("run_id", runId)).path("run").path("data").path("metrics")) {
            if (n.path("key").asText().equals(key)) return n.path("value").asDouble();
        }
        throw new AssertionError("run " + runId + " has no metric " + key);
    }

    /** playwright-core as pinned in e2e/mlflow-ui/package-lock.json, installed once into the download cache. */
    static Path playwright() throws IOException, InterruptedException {
        String lock = Files.readString(E2E.resolve("package-lock.json"));
        Path dir = EnvironmentResolver.system().cacheDir().resolve("e2e").resolve("mlflow-ui-" + Hashing.sha256(lock).substring(0, 8));
        Path modules = dir.resolve("node_modules");
        if (Files.exists(dir.resolve(".complete"))) return modules;
        Files.createDirectories(dir);
        for (String f : List.of("package.json", "package-lock.json")) Files.copy(E2E.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("install.log").toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0, "npm ci failed: " + Files.readString(dir.resolve("install.log")));
        Files.writeString(dir.resolve(".complete"), "ok\n");
        return modules;
    }
}
