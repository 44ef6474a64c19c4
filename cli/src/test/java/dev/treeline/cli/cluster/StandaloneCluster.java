package dev.treeline.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster on loopback: one master and {@code n} workers started with the Spark
 * distribution's {@code bin/spark-class}, each a JVM of its own; workers launch executor JVMs as on any
 * cluster. {@link #killWorkerWithExecutor()} takes one worker and its executors down with SIGKILL.
 */
public final class StandaloneCluster implements AutoCloseable {
    private final Path home;
    private final Path dir;
    private final int masterPort;
    private final int uiPort;
    private Process master;
    private final Map<Integer, Process> workers = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private StandaloneCluster(Path home, Path dir) {
        this.home = home;
        this.dir = dir;
        this.masterPort = freePort();
        this.uiPort = freePort();
    }

    public static StandaloneCluster start(Path sparkHome, Path dir, int workers, int coresEach, String memoryEach) {
        StandaloneCluster c = new StandaloneCluster(sparkHome, dir);
        try {
            Files.createDirectories(dir);
            c.master = c.spawn("org.apache.spark.deploy.master.Master", List.of("--host", "127.0.0.1", "--port", Integer.toString(c.masterPort),
                    "--webui-port", Integer.toString(c.uiPort)), dir.resolve("master.log"));
            c.await(() -> c.stateOrNull() != null, "the master to answer on port " + c.uiPort);
            for (int i = 0; i < workers; i++) c.addWorker(coresEach, memoryEach);
            c.await(() -> c.aliveWorkers() == workers, workers + " workers to register");
            Runtime.getRuntime().addShutdownHook(new Thread(c::close));
            return c;
        } catch (RuntimeException | IOException e) {
            c.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private void addWorker(int cores, String memory) {
        int port = freePort();
        Path workDir = dir.resolve("worker-" + port);
        workers.put(port, spawn("org.apache.spark.deploy.worker.Worker", List.of("--host", "127.0.0.1", "--port", Integer.toString(port),
                "--webui-port", Integer.toString(freePort()), "--cores", Integer.toString(cores), "--memory", memory,
                "--work-dir", workDir.toString(), masterUrl()), dir.resolve("worker-" + port + ".log")));
    }

    private Process spawn(String mainClass, List<String> args, Path log) {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/spark-class").toString(), mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(environment(home));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What Spark's scripts and the processes they start need: this JVM's Java, loopback only. */
    public static Map<String, String> environment(Path sparkHome) {
        return Map.of("SPARK_HOME", sparkHome.toString(), "JAVA_HOME", System.getProperty("java.home"), "SPARK_LOCAL_IP", "127.0.0.1",
                "SPARK_NO_DAEMONIZE", "1");
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    public String uiUrl() {
        return "http://127.0.0.1:" + uiPort;
    }

    /** The master's JSON view: workers, active and completed applications and drivers. */
    public JsonNode state() {
        JsonNode s = stateOrNull();
        if (s == null) throw new IllegalStateException("the Spark master at " + uiUrl() + " does not answer");
        return s;
    }

    private JsonNode stateOrNull() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uiUrl() + "/json/")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public int aliveWorkers() {
        JsonNode s = stateOrNull();
        if (s == null) return 0;
        int n = 0;
        for (JsonNode w : s.path("workers")) if (w.path("state").asText().equals("ALIVE")) n++;
        return n;
    }

    /** SIGKILLs a worker that runs an executor, and the executor JVMs it started, as a lost machine would; returns its port. */
    public int killWorkerWithExecutor() {
        for (JsonNode w : state().path("workers")) {
            if (!w.path("state").asText().equals("ALIVE") || w.path("coresused").asInt() == 0) continue;
            Process p = workers.get(w.path("port").asInt());
            if (p == null) continue;
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            return w.path("port").asInt();
        }
        throw new IllegalStateException("no worker runs an executor: " + state());
    }

    private void await(java.util.function.BooleanSupplier condition, String what) {
        Instant deadline = Instant.now().plusSeconds(90);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException("timed out waiting for " + what + "; logs in " + dir);
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        List<Process> all = new ArrayList<>(workers.values());
        if (master != null) all.add(master);
        for (Process p : all) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
