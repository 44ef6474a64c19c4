package dev.treeline.registry.local;

import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.mlflow.MlflowRest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A second real MLflow server with MLflow's basic-auth app, for tests: its own stores under {@code dir},
 * artifacts in S3 (as in production), an admin user with a random password (never printed), stopped
 * by {@link #close}.
 */
public final class AuthenticatedMlflow implements AutoCloseable {
    public static final String ADMIN = "admin";

    private final long pid;
    private final String url;
    private final String password;
    private final Path log;

    /** Artifacts go to {@code artifacts} ({@code s3://bucket/prefix}) on the S3 API {@code s3}, which supports multipart uploads. */
    public AuthenticatedMlflow(Path dir, dev.treeline.pipelines.env.S3Settings s3, String artifacts) {
        try {
            Files.createDirectories(dir);
            this.password = "pw-" + UUID.randomUUID();
            Path ini = dir.resolve("basic_auth.ini");
            Files.writeString(ini, "[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///" + dir.resolve("basic_auth.db") + "\n"
                    + "admin_username = " + ADMIN + "\nadmin_password = " + password + "\n"
                    + "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n");
            int port = LocalStack.freePort();
            Path venv = new Installer(EnvironmentResolver.system().cacheDir(), Progress.to(System.out)).mlflowVenv();
            this.log = dir.resolve("mlflow.log");
            List<String> cmd = List.of(venv.resolve("bin/python").toString(), "-m", "mlflow", "server", "--app-name", "basic-auth",
                    "--host", "127.0.0.1", "--port", Integer.toString(port), "--backend-store-uri", "sqlite:///" + dir.resolve("mlflow.db"),
                    "--artifacts-destination", artifacts, "--serve-artifacts", "--workers", "1");
            Map<String, String> env = Map.of("MLFLOW_AUTH_CONFIG_PATH", ini.toString(), "MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false",
                    "MLFLOW_FLASK_SERVER_SECRET_KEY", UUID.randomUUID().toString(), "MLFLOW_S3_ENDPOINT_URL", s3.endpoint(),
                    "AWS_ACCESS_KEY_ID", s3.accessKeyId(), "AWS_SECRET_ACCESS_KEY", s3.secretAccessKey(), "AWS_DEFAULT_REGION", s3.region());
            this.pid = ManagedProcess.start(cmd, env, log, dir);
            this.url = "http://127.0.0.1:" + port;
            MlflowRest rest = new MlflowRest(url, MlflowCredentials.NONE);
            long deadline = System.currentTimeMillis() + 180_000;
            while (!rest.healthy()) {
                if (!ManagedProcess.isAlive(pid) || System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the authenticated MLflow did not start; last lines of " + log + ":\n"
                            + String.join("\n", ManagedProcess.tail(log, 20)));
                }
                ManagedProcess.sleep(300);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return url;
    }

    public String password() {
        return password;
    }

    public Path log() {
        return log;
    }

    public MlflowCredentials admin() {
        return new MlflowCredentials(null, ADMIN, password);
    }

    @Override
    public void close() {
        ManagedProcess.stop(pid, 10_000);
    }
}
