package dev.treeline.pipelines.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MLflow and S3 come from the same local stack, or neither is assumed: from another workspace the
 * machine's stack (the one on the default ports) is found whole, with its S3 credentials; a stack
 * that no longer runs is not used, and the error names the workspace and the fixes.
 */
class StackDiscoveryTest {
    @TempDir Path tmp;
    Process services;

    @AfterEach
    void stop() throws InterruptedException {
        if (services != null) {
            services.destroy();
            services.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A stack record of {@code workspace} whose "services" are a process carrying the stack directory in its command line. */
    StackEndpoints stack(Path workspace, boolean running) throws Exception {
        Path stackDir = Files.createDirectories(workspace.resolve("stack"));
        Path creds = Files.createDirectories(stackDir.resolve("s3")).resolve("credentials.properties");
        Files.writeString(creds, "access_key_id=treelineabc\nsecret_access_key=s3cret\n");
        long pid;
        if (running) {
            services = new ProcessBuilder("sh", "-c", "sleep 60", stackDir.toString()).start();
            pid = services.pid();
        } else {
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            pid = gone.pid();
        }
        return new StackEndpoints("http://127.0.0.1:5000", "http://127.0.0.1:9000", "us-east-1", creds.toString(), workspace.toString(),
                stackDir.toString(), List.of(pid));
    }

    EnvironmentResolver resolver(Path cache) {
        Map<String, String> env = Map.of("TREELINE_CACHE", cache.toString());
        return new EnvironmentResolver(env::get);
    }

    @Test
    void anotherWorkspaceFindsTheMachinesStackWholeMlflowAndS3WithItsCredentials() throws Exception {
        Path cache = tmp.resolve("cache");
        Files.createDirectories(cache);
        Json.writeAtomically(cache.resolve(StackEndpoints.MACHINE_FILE), stack(tmp.resolve("demo-ws"), true));
        Environment env = resolver(cache).resolve(tmp.resolve("other-ws"), null, null, Map.of());
        assertEquals("http://127.0.0.1:5000", env.requireMlflow());
        assertEquals("http://127.0.0.1:9000", env.s3().endpoint());
        assertEquals("treelineabc", env.s3().accessKeyId());
        assertEquals(S3Settings.SSE_NONE, env.s3().sse());
    }

    @Test
    void aMachineStackThatNoLongerRunsIsNotAssumedAndTheErrorNamesTheWorkspace() throws Exception {
        Path cache = tmp.resolve("cache");
        Files.createDirectories(cache);
        Json.writeAtomically(cache.resolve(StackEndpoints.MACHINE_FILE), stack(tmp.resolve("demo-ws"), false));
        Path ws = tmp.resolve("other-ws");
        Environment env = resolver(cache).resolve(ws, null, null, Map.of());
        assertNull(env.s3().endpoint(), "no S3 endpoint from a stack that is gone");
        TreelineException e = assertThrows(TreelineException.class, env::requireMlflow);
        assertEquals(ExitCode.STACK, e.exitCode());
        assertEquals("no MLflow server is configured and no local stack runs for workspace " + ws.toAbsolutePath()
                + " (nor on the default ports, " + cache.resolve(StackEndpoints.MACHINE_FILE) + "): start one with './treeline local up' "
                + "(or './treeline demo'), set MLFLOW_TRACKING_URI or --mlflow-uri, or use the workspace whose stack runs (--workspace DIR or TREELINE_HOME)",
                e.getMessage());
    }

    @Test
    void aWorkspacesOwnStackThatStoppedSaysHowToStartIt() throws Exception {
        Path ws = tmp.resolve("ws");
        Json.writeAtomically(ws.resolve(StackEndpoints.FILE), stack(ws, false));
        Environment env = resolver(tmp.resolve("cache")).resolve(ws, null, null, Map.of());
        TreelineException e = assertThrows(TreelineException.class, env::requireMlflow);
        assertEquals("the local stack of workspace " + ws.toAbsolutePath() + " is not running (stopped, or the machine restarted): start it with "
                + "'./treeline local up --workspace " + ws.toAbsolutePath() + "', or set MLFLOW_TRACKING_URI", e.getMessage());
    }

    @Test
    void configurationWinsOverAnyStack() throws Exception {
        Path cache = tmp.resolve("cache");
        Files.createDirectories(cache);
        Json.writeAtomically(cache.resolve(StackEndpoints.MACHINE_FILE), stack(tmp.resolve("demo-ws"), true));
        Map<String, String> vars = Map.of("TREELINE_CACHE", cache.toString(), "MLFLOW_TRACKING_URI", "https://mlflow.example.com/",
                "AWS_ACCESS_KEY_ID", "AKIA", "AWS_SECRET_ACCESS_KEY", "x");
        Environment env = new EnvironmentResolver(vars::get).resolve(tmp.resolve("ws"), null, null, Map.of());
        assertEquals("https://mlflow.example.com", env.requireMlflow());
        assertNull(env.s3().endpoint(), "AWS itself, not the stack's S3Proxy, once a key is set");
        assertEquals("AKIA", env.s3().accessKeyId());
    }
}
