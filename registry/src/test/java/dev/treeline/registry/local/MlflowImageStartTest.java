package dev.treeline.registry.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MLflow image's start script (infra/docker/mlflow/start-mlflow), run with a stand-in {@code mlflow} that
 * records what it was given: the database password never reaches the command line (visible in ps), and a
 * password with URL-special characters arrives intact in the backend URI and the auth config.
 */
class MlflowImageStartTest {
    @TempDir Path tmp;

    @Test
    void theDatabasePasswordStaysOffTheCommandLineAndSurvivesSpecialCharacters() throws Exception {
        Path script = Path.of("..", "infra", "docker", "mlflow", "start-mlflow").toAbsolutePath().normalize();
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fake = bin.resolve("mlflow");
        Files.writeString(fake, "#!/bin/sh\nprintf 'ARGV %s\\n' \"$*\" > \"$OUT\"\nprintf 'URI %s\\n' \"$MLFLOW_BACKEND_STORE_URI\" >> \"$OUT\"\n"
                + "python3 -c \"import configparser; c = configparser.ConfigParser(); c.read('$MLFLOW_AUTH_CONFIG_PATH'); "
                + "print('INI', c['mlflow']['database_uri'])\" >> \"$OUT\"\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        Path out = tmp.resolve("out.txt");
        String password = "p@ss:w/rd%1 x";
        ProcessBuilder pb = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("OUT", out.toString());
        env.putAll(Map.of("DB_USER", "treeline", "DB_PASSWORD", password, "DB_HOST", "db", "DB_NAME", "mlflow", "MLFLOW_ADMIN_PASSWORD", "admin-secret",
                "ARTIFACTS_DESTINATION", "s3://bucket/artifacts"));
        Process p = pb.start();
        String console = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), console);
        List<String> lines = Files.readAllLines(out);
        String encoded = "postgresql://treeline:p%40ss%3Aw%2Frd%251%20x@db:5432/mlflow?sslmode=require";
        assertFalse(lines.get(0).contains("p@ss") || lines.get(0).contains("%40ss") || lines.get(0).contains("admin-secret"), lines.get(0));
        assertTrue(lines.get(0).startsWith("ARGV server --app-name basic-auth"), lines.get(0));
        assertEquals("URI " + encoded, lines.get(1));
        assertEquals("INI " + encoded, lines.get(2), "configparser reads the URI back unchanged");
        assertFalse(console.contains("p@ss"), console);
    }
}
