package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.registry.local.AuthenticatedMlflow;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.mlflow.MlflowException;
import dev.treeline.registry.mlflow.MlflowRest;
import dev.treeline.registry.testing.LocalStackFixture;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline in its own process against an MLflow server with authentication enabled, the
 * credentials in the environment only; then the secrets (MLflow password, S3 secret key) are searched
 * for in everything the run wrote: its output, the workspace's files, and MLflow's runs, params, tags,
 * versions and descriptions.
 */
class AuthenticatedMlflowIntegrationTest {
    static final LocalDate START = LocalDate.of(2001, 2, 1);
    static final LocalDate DATE = START.plusDays(17);

    @TempDir static Path tmp;
    static AuthenticatedMlflow server;
    static Environment env;
    static String model;
    static int exit;
    static String output;

    @BeforeAll
    static void runAgainstAuthenticatedMlflow() throws Exception {
        env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        server = new AuthenticatedMlflow(tmp.resolve("auth-mlflow"), env.s3(), "s3://treeline-models/mlflow-auth-" + UUID.randomUUID());
        model = "auth-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 18, 300, 41);
        Path spec = TestPipelines.writeSpec(tmp.resolve("spec"), TestPipelines.publishingFlightsSpec(data, 14, model, "auth"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports"))
                .forEach(cmd::add);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Treeline.class.getName(), "run", spec.toString(), "--date", DATE.toString(),
                "--workspace", env.workspace().toString(), "--mlflow-uri", server.url()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MLFLOW_TRACKING_USERNAME", AuthenticatedMlflow.ADMIN);
        pb.environment().put("MLFLOW_TRACKING_PASSWORD", server.password());
        Path out = tmp.resolve("run.log");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        exit = p.waitFor();
        output = Files.readString(out);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void thePipelineRegistersAndPromotesThroughAuthentication() {
        assertEquals(0, exit, output);
        assertTrue(output.contains("[9/9] push: ok"), output);
        try (MlflowConnection m = new MlflowConnection(server.url(), server.admin())) {
            var v = m.registry().version(model, "1");
            assertEquals("passed", v.tags().get("validation_status"));
            assertEquals("1", m.registry().aliases(model).get("champion"));
            JsonNode files = m.rest().get("artifacts/list", Map.of("run_id", v.runId(), "path", "model")).path("files");
            assertTrue(files.toString().contains("model/MLmodel"), files.toString());
        }
    }

    @Test
    void withoutCredentialsTheServerRefusesAndTheMessageSaysWhatToSet() {
        MlflowException e = assertThrows(MlflowException.class,
                () -> new MlflowRest(server.url(), MlflowCredentials.NONE).get("registered-models/search", Map.of()));
        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains("check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD (no credentials)"),
                e.getMessage());
        MlflowException wrong = assertThrows(MlflowException.class,
                () -> new MlflowRest(server.url(), new MlflowCredentials(null, "admin", "not-the-password")).get("registered-models/search", Map.of()));
        assertEquals(401, wrong.status());
        assertFalse(wrong.getMessage().contains("not-the-password"), "a rejected password is not echoed either");
    }

    @Test
    void aCredentialsFileWorksLikeTheEnvironment() throws Exception {
        Path file = tmp.resolve("credentials");
        Files.writeString(file, "[mlflow]\nmlflow_tracking_username = admin\nmlflow_tracking_password = " + server.password() + "\n");
        MlflowCredentials c = MlflowCredentials.fromEnvironment(Map.of("MLFLOW_TRACKING_CREDENTIALS_FILE", file.toString())::get);
        assertEquals("basic auth as admin", c.toString());
        assertTrue(new MlflowRest(server.url(), c).get("registered-models/search", Map.of()).isObject());
    }

    @Test
    void largeArtifactsGoUpInPartsThroughPresignedUrlsWhenTheStoreIsS3() throws Exception {
        Path big = tmp.resolve("big.bin");
        byte[] bytes = new byte[12 << 20];
        new java.util.Random(5).nextBytes(bytes);
        Files.write(big, bytes);
        try (MlflowConnection m = new MlflowConnection(server.url(), server.admin())) {
            String exp = new dev.treeline.registry.mlflow.MlflowTracking(m).experimentId("mpu-" + UUID.randomUUID());
            JsonNode run = m.rest().create("runs/create", Map.of("experiment_id", exp), Optional::empty).path("run").path("info");
            String root = dev.treeline.registry.mlflow.MlflowArtifacts.proxiedPath(run.path("artifact_uri").asText());
            var artifacts = m.artifacts().withMultipart(5 << 20, 5 << 20);
            assertTrue(artifacts.multipart(root + "/blobs/big.bin", big, bytes.length), "the S3 store takes a multipart upload");
            Path back = tmp.resolve("back.bin");
            m.rest().getArtifact(root + "/blobs/big.bin", back);
            assertEquals(dev.treeline.pipelines.util.Hashing.sha256(big), dev.treeline.pipelines.util.Hashing.sha256(back));
        }
        // A server that keeps artifacts on its own disk has no multipart upload: the client falls back to one PUT.
        try (MlflowConnection plain = new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE)) {
            String exp = new dev.treeline.registry.mlflow.MlflowTracking(plain).experimentId("mpu-plain-" + UUID.randomUUID());
            JsonNode run = plain.rest().create("runs/create", Map.of("experiment_id", exp), Optional::empty).path("run").path("info");
            String uri = run.path("artifact_uri").asText();
            var artifacts = plain.artifacts().withMultipart(5 << 20, 5 << 20);
            assertFalse(artifacts.multipart(dev.treeline.registry.mlflow.MlflowArtifacts.proxiedPath(uri) + "/big.bin", big, bytes.length));
            artifacts.upload(uri, big, "blobs");
            Path back = tmp.resolve("back-plain.bin");
            plain.rest().getArtifact(dev.treeline.registry.mlflow.MlflowArtifacts.proxiedPath(uri) + "/blobs/big.bin", back);
            assertEquals(dev.treeline.pipelines.util.Hashing.sha256(big), dev.treeline.pipelines.util.Hashing.sha256(back));
        }
    }

    @Test
    void secretsAppearNowhere() throws Exception {
        assertEquals(0, exit, output);
        List<String> secrets = List.of(server.password(), env.s3().secretAccessKey());
        for (String s : secrets) assertFalse(output.contains(s), "the run's output holds a secret");
        try (Stream<Path> files = Files.walk(env.workspace())) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/stack/")).toList()) {
                if (Files.size(f) > 5_000_000) continue;
                String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String s : secrets) assertFalse(text.contains(s), "a secret in " + f);
            }
        }
        try (MlflowConnection m = new MlflowConnection(server.url(), server.admin())) {
            StringBuilder everything = new StringBuilder();
            JsonNode exps = m.rest().get("experiments/search", Map.of("max_results", "1000")).path("experiments");
            List<String> ids = new ArrayList<>();
            exps.forEach(x -> ids.add(x.path("experiment_id").asText()));
            everything.append(m.rest().post("runs/search", Map.of("experiment_ids", ids, "max_results", 1000)));
            everything.append(m.rest().get("registered-models/search", Map.of()));
            everything.append(m.rest().get("model-versions/search", Map.of("filter", "name='" + model + "'")));
            assertTrue(everything.toString().contains("treeline.spec_hash"), "the search covered the runs and versions");
            for (String s : secrets) assertFalse(everything.toString().contains(s), "a secret in MLflow's runs, params, tags or versions");
        }
        String serverLog = Files.readString(server.log());
        assertFalse(serverLog.contains(server.password()), "the server log holds the password");
    }
}
