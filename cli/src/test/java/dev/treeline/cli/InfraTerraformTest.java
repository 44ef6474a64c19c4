package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.local.Installer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * infra/terraform without a cloud: python-hcl2 parses every file (and every variable and output is
 * documented), and checkov finds no failed check in the modules, the example stack and the MLflow image;
 * every check skipped in the code says why.
 */
class InfraTerraformTest {
    static final Path INFRA = Path.of("..", "infra").toAbsolutePath().normalize();
    static Path python;

    @BeforeAll
    static void tools() {
        Path venv = new Installer(EnvironmentResolver.system().cacheDir(), Progress.to(System.out))
                .toolVenv("terraform-checks", "terraform-checks.txt", "checkov and python-hcl2");
        python = venv.resolve("bin/python");
    }

    record Output(int code, String out) {}

    static Output run(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("infra-check", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(false).redirectOutput(log.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", command) + " did not finish in 5 minutes");
        return new Output(p.exitValue(), Files.readString(log));
    }

    @Test
    void everyFileParsesAndEveryVariableAndOutputIsDocumented() throws Exception {
        Output o = run(List.of(python.toString(), INFRA.resolve("terraform/tests/parse.py").toString(), INFRA.resolve("terraform").toString()));
        JsonNode summary = Json.MAPPER.readTree(o.out());
        assertEquals(0, o.code(), o.out());
        assertEquals(0, summary.path("problems").size(), summary.path("problems").toString());
        Set<String> modules = new TreeSet<>();
        summary.path("modules").forEach(m -> modules.add(m.asText()));
        assertEquals(Set.of("controller", "ecs_task_roles", "mlflow", "network", "pipeline_data_access", "postgres", "spark_emr", "storage"), modules);
        assertTrue(summary.path("files").asInt() >= 28 && summary.path("variables").asInt() >= 60, summary.toString());
    }

    @Test
    void checkovFindsNoFailedCheckAndEverySkipHasAReason() throws Exception {
        Path checkov = python.getParent().resolve("checkov");
        // --skip-download: no call to Prisma Cloud (and no severities from it): every failed check counts, whatever its severity.
        Output o = run(List.of(checkov.toString(), "-d", INFRA.toString(), "--framework", "terraform", "dockerfile", "--skip-download",
                "--quiet", "-o", "json"));
        JsonNode root = Json.MAPPER.readTree(o.out());
        List<JsonNode> reports = new ArrayList<>();
        if (root.isArray()) root.forEach(reports::add);
        else reports.add(root);
        Set<String> frameworks = new TreeSet<>();
        int passed = 0;
        List<String> failed = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (JsonNode r : reports) {
            frameworks.add(r.path("check_type").asText());
            passed += r.path("summary").path("passed").asInt();
            for (JsonNode c : r.path("results").path("failed_checks")) {
                failed.add(c.path("check_id").asText() + " " + c.path("resource").asText() + " (" + c.path("file_path").asText() + ")");
            }
            for (JsonNode c : r.path("results").path("skipped_checks")) {
                String reason = c.path("check_result").path("suppress_comment").asText("");
                skipped.add(c.path("check_id").asText() + " " + c.path("resource").asText() + ": " + reason);
                assertTrue(reason.length() >= 30, "skipped without a reason: " + c.path("check_id").asText() + " on " + c.path("resource").asText());
            }
        }
        assertEquals(Set.of("terraform", "dockerfile"), frameworks, o.out().length() > 2000 ? o.out().substring(0, 2000) : o.out());
        assertEquals(List.of(), failed, "checkov failed checks");
        assertTrue(passed > 300, "checkov passed " + passed + " checks");
        System.out.println("checkov: " + passed + " passed, 0 failed, " + skipped.size() + " skipped:\n  " + String.join("\n  ", skipped));
    }
}
