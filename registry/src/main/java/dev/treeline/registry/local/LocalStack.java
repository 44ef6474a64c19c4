package dev.treeline.registry.local;

import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.env.S3Settings;
import dev.treeline.pipelines.env.StackEndpoints;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.FileLocks;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.mlflow.MlflowRest;
import dev.treeline.registry.s3.S3Clients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The embedded default stack: an MLflow tracking server (SQLite backend, artifact serving on) and
 * S3Proxy (a real S3 API over the file system), both on 127.0.0.1, with all data under
 * {@code <workspace>/stack/}. {@code up} is idempotent and waits for health; {@code down} stops only
 * processes it started.
 */
public final class LocalStack {
    public static final int DEFAULT_MLFLOW_PORT = 5000;
    public static final int DEFAULT_S3_PORT = 9000;
    public static final String DEFAULT_BUCKET = "treeline-models";
    static final long MLFLOW_START_MILLIS = 180_000;
    static final long S3_START_MILLIS = 60_000;

    private final Path workspace;
    private final Path cacheDir;
    private final Path stackDir;
    private final Installer installer;
    private final int mlflowPort;
    private final int s3Port;
    private final List<String> buckets;
    private final Progress progress;

    public LocalStack(Path workspace, Path cacheDir, int mlflowPort, int s3Port, List<String> buckets, Progress progress) {
        this.workspace = workspace.toAbsolutePath().normalize();
        this.cacheDir = cacheDir;
        this.stackDir = Workspace.at(this.workspace).stack();
        this.installer = new Installer(cacheDir, progress);
        this.mlflowPort = mlflowPort;
        this.s3Port = s3Port;
        this.buckets = buckets;
        this.progress = progress;
    }

    public Path stackDir() {
        return stackDir;
    }

    private Path machineFile() {
        return cacheDir.resolve(StackEndpoints.MACHINE_FILE);
    }

    /** Starts whatever is not running and healthy; returns the endpoints. */
    public StackEndpoints up() {
        try (FileLocks.Held lock = FileLocks.acquire(stackDir.resolve(".lock"))) {
            Files.createDirectories(stackDir.resolve("mlflow"));
            Files.createDirectories(stackDir.resolve("s3").resolve("data"));
            StackState state = readState();
            StackState.Service mlflow = state != null && running(state.mlflow()) ? state.mlflow() : startMlflow();
            waitForMlflow(mlflow);
            StackState.Service s3 = state != null && running(state.s3()) ? state.s3() : startS3();
            waitForS3(s3);
            writeState(new StackState(mlflow, s3));
            StackEndpoints endpoints = new StackEndpoints(mlflow.url(), s3.url(), "us-east-1", credentialsFile().toString(), workspace.toString(),
                    stackDir.toString(), List.of(mlflow.pid(), s3.pid()));
            createBuckets(endpoints);
            Json.writeAtomically(workspace.resolve(StackEndpoints.FILE), endpoints);
            // Ports are the machine's: the stack on the default ones is the one every checkout and workspace finds.
            if (mlflowPort == DEFAULT_MLFLOW_PORT && s3Port == DEFAULT_S3_PORT) Json.writeAtomically(machineFile(), endpoints);
            return endpoints;
        } catch (IOException e) {
            throw new StackException("cannot prepare " + stackDir + ": " + e.getMessage(), e);
        }
    }

    /** Stops the processes this workspace's stack started. Returns what was stopped. */
    public List<String> down() {
        List<String> stopped = new ArrayList<>();
        try (FileLocks.Held lock = FileLocks.acquire(stackDir.resolve(".lock"))) {
            StackState state = readState();
            if (state != null) {
                Map<String, StackState.Service> services = new LinkedHashMap<>();
                services.put("MLflow", state.mlflow());
                services.put("S3Proxy", state.s3());
                for (var entry : services.entrySet()) {
                    StackState.Service s = entry.getValue();
                    if (s == null) continue;
                    if (ManagedProcess.isOurs(s.pid(), stackDir.toString())) {
                        ManagedProcess.stop(s.pid(), 15_000);
                        stopped.add(entry.getKey() + " (pid " + s.pid() + ")");
                    }
                }
            }
            Files.deleteIfExists(workspace.resolve(StackEndpoints.FILE));
            Files.deleteIfExists(stackDir.resolve("stack.json"));
            StackEndpoints machine = EnvironmentResolver.readStackFile(machineFile());
            if (machine != null && workspace.toString().equals(machine.workspace())) Files.deleteIfExists(machineFile());
            return stopped;
        } catch (IOException e) {
            throw new StackException("cannot stop the local stack in " + stackDir + ": " + e.getMessage(), e);
        }
    }

    public List<ServiceStatus> status() {
        StackState state = readState();
        List<ServiceStatus> out = new ArrayList<>();
        if (state == null) {
            out.add(new ServiceStatus("mlflow", null, null, false, false, stackDir.resolve("mlflow/mlflow.log").toString()));
            out.add(new ServiceStatus("s3", null, null, false, false, stackDir.resolve("s3/s3proxy.log").toString()));
            return out;
        }
        boolean mlflowRunning = running(state.mlflow());
        out.add(new ServiceStatus("mlflow", state.mlflow().url(), state.mlflow().pid(), mlflowRunning,
                mlflowRunning && new MlflowRest(state.mlflow().url(), MlflowCredentials.NONE).healthy(), state.mlflow().log()));
        boolean s3Running = running(state.s3());
        out.add(new ServiceStatus("s3", state.s3().url(), state.s3().pid(), s3Running, s3Running && s3Answers(state.s3().url()), state.s3().log()));
        return out;
    }

    // ---- MLflow -------------------------------------------------------------------------------

    private StackState.Service startMlflow() {
        checkPortFree(mlflowPort, "MLflow", "--mlflow-port", "TREELINE_MLFLOW_PORT");
        Path venv = installer.mlflowVenv();
        Path dir = stackDir.resolve("mlflow");
        Path log = dir.resolve("mlflow.log");
        List<String> cmd = List.of(venv.resolve("bin/python").toString(), "-m", "mlflow", "server",
                "--host", "127.0.0.1", "--port", Integer.toString(mlflowPort),
                "--backend-store-uri", "sqlite:///" + dir.resolve("mlflow.db"),
                "--artifacts-destination", dir.resolve("artifacts").toString(),
                "--serve-artifacts", "--workers", "1");
        // The job runner spawns a tree of background consumers the stack does not use.
        long pid = ManagedProcess.start(cmd, Map.of("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false"), log, dir);
        progress.info("Starting MLflow on http://127.0.0.1:" + mlflowPort + " (pid " + pid + ", log " + log + ")");
        return new StackState.Service(pid, mlflowPort, "http://127.0.0.1:" + mlflowPort, log.toString(), Instant.now().toString());
    }

    private void waitForMlflow(StackState.Service s) {
        MlflowRest rest = new MlflowRest(s.url(), MlflowCredentials.NONE);
        long deadline = System.currentTimeMillis() + MLFLOW_START_MILLIS;
        while (!rest.healthy()) {
            if (!ManagedProcess.isAlive(s.pid())) {
                throw new StackException("MLflow exited while starting; last lines of " + s.log() + ":\n  "
                        + String.join("\n  ", ManagedProcess.tail(Path.of(s.log()), 15)) + "\nfull log: " + s.log());
            }
            if (System.currentTimeMillis() > deadline) {
                ManagedProcess.stop(s.pid(), 5_000);
                throw new StackException("MLflow did not answer on " + s.url() + "/health within " + MLFLOW_START_MILLIS / 1000
                        + " s; last lines of " + s.log() + ":\n  " + String.join("\n  ", ManagedProcess.tail(Path.of(s.log()), 15)));
            }
            ManagedProcess.sleep(300);
        }
    }

    // ---- S3Proxy ------------------------------------------------------------------------------

    private StackState.Service startS3() throws IOException {
        checkPortFree(s3Port, "S3Proxy", "--s3-port", "TREELINE_S3_PORT");
        Path jar = installer.s3proxyJar();
        Path dir = stackDir.resolve("s3");
        Properties creds = credentials();
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + s3Port);
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", creds.getProperty("access_key_id"));
        p.setProperty("s3proxy.credential", creds.getProperty("secret_access_key"));
        p.setProperty("jclouds.provider", "filesystem");
        p.setProperty("jclouds.filesystem.basedir", dir.resolve("data").toString());
        p.setProperty("jclouds.identity", creds.getProperty("access_key_id"));
        p.setProperty("jclouds.credential", creds.getProperty("secret_access_key"));
        Path props = dir.resolve("s3proxy.properties");
        writePrivate(props, p, "S3Proxy settings written by treeline local up (holds the local secret: keep private)");
        Path log = dir.resolve("s3proxy.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long pid = ManagedProcess.start(List.of(java, "-Xmx256m", "-jar", jar.toString(), "--properties", props.toString()), Map.of(), log, dir);
        progress.info("Starting S3Proxy on http://127.0.0.1:" + s3Port + " (pid " + pid + ", log " + log + ")");
        return new StackState.Service(pid, s3Port, "http://127.0.0.1:" + s3Port, log.toString(), Instant.now().toString());
    }

    private void waitForS3(StackState.Service s) {
        long deadline = System.currentTimeMillis() + S3_START_MILLIS;
        while (!s3Answers(s.url())) {
            if (!ManagedProcess.isAlive(s.pid())) {
                throw new StackException("S3Proxy exited while starting; last lines of " + s.log() + ":\n  "
                        + String.join("\n  ", ManagedProcess.tail(Path.of(s.log()), 15)) + "\nfull log: " + s.log());
            }
            if (System.currentTimeMillis() > deadline) {
                ManagedProcess.stop(s.pid(), 5_000);
                throw new StackException("S3Proxy did not answer on " + s.url() + " within " + S3_START_MILLIS / 1000 + " s; see " + s.log());
            }
            ManagedProcess.sleep(200);
        }
    }

    /** Any HTTP answer (S3Proxy says 403 to an anonymous request) means it is serving. */
    static boolean s3Answers(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url + "/").toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(2000);
            int code = c.getResponseCode();
            c.disconnect();
            return code > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private void createBuckets(StackEndpoints endpoints) {
        Properties creds = credentials();
        S3Settings settings = new S3Settings(endpoints.s3Endpoint(), endpoints.s3Region(), creds.getProperty("access_key_id"),
                creds.getProperty("secret_access_key"), S3Settings.SSE_NONE, null);
        try (S3Client s3 = S3Clients.create(settings)) {
            for (String bucket : buckets) {
                try {
                    s3.createBucket(b -> b.bucket(bucket));
                } catch (BucketAlreadyOwnedByYouException e) {
                    // created by an earlier up
                } catch (S3Exception e) {
                    if (e.statusCode() != 409) throw new StackException("cannot create bucket " + bucket + " on " + endpoints.s3Endpoint() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    // ---- credentials and state ----------------------------------------------------------------

    Path credentialsFile() {
        return stackDir.resolve("s3").resolve("credentials.properties");
    }

    /** Random per-workspace S3 credentials, created once, readable by the owner only. */
    private Properties credentials() {
        Path file = credentialsFile();
        if (Files.exists(file)) return EnvironmentResolver.readCredentials(file);
        SecureRandom random = new SecureRandom();
        byte[] id = new byte[6];
        byte[] secret = new byte[24];
        random.nextBytes(id);
        random.nextBytes(secret);
        Properties p = new Properties();
        p.setProperty("access_key_id", "treeline" + HexFormat.of().formatHex(id));
        p.setProperty("secret_access_key", HexFormat.of().formatHex(secret));
        writePrivate(file, p, "S3 credentials of the local stack (generated; keep private)");
        return p;
    }

    private static void writePrivate(Path file, Properties p, String comment) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (var w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, comment);
            }
            AtomicFiles.move(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private StackState readState() {
        Path file = stackDir.resolve("stack.json");
        if (!Files.exists(file)) return null;
        try {
            return Json.read(file, StackState.class);
        } catch (IOException e) {
            return null;
        }
    }

    private void writeState(StackState state) throws IOException {
        Json.writeAtomically(stackDir.resolve("stack.json"), state);
    }

    private boolean running(StackState.Service s) {
        return s != null && ManagedProcess.isOurs(s.pid(), stackDir.toString());
    }

    private static void checkPortFree(int port, String what, String flag, String env) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new StackException("port " + port + " on 127.0.0.1 is already in use by another process, so " + what
                    + " cannot start there; stop that process, or choose another port with " + flag + " or " + env);
        }
    }

    /** A free loopback port (for tests and for users who ask for one). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
