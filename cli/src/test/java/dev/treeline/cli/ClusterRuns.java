package dev.treeline.cli;

import dev.treeline.cli.cluster.StandaloneCluster;
import dev.treeline.cli.cluster.TreelineJar;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.registry.local.Installer;
import dev.treeline.registry.testing.LocalStackFixture;
import dev.treeline.scheduler.Controller;
import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.ScheduleFile;
import dev.treeline.scheduler.SparkSubmitExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The runs the integration tests after 'package' share, done once per JVM against the local stack and
 * a standalone Spark cluster on loopback (master and three one-core workers from pyspark's distribution):
 * <ol>
 *   <li>date 1 of the flights pipeline in small (pipeline {@code cluster}) in this JVM's local Spark: a one-stump
 *       model, which becomes champion (the same spec and workspace then continue on the cluster);</li>
 *   <li>date 2 of {@code cluster} by the controller, submitted in cluster deploy mode (the driver on a worker): the full
 *       model with two XGBoost workers, under manual approval, which passes the gate against the stump;</li>
 *   <li>date 2 of the same spec by {@code treeline run} (the runnable jar) in a local[2] driver (pipeline
 *       {@code local}), the model to compare with;</li>
 *   <li>version 2 of {@code cluster} approved and put in an A/B test with 10% of the traffic;</li>
 *   <li>date 3 of {@code cluster} submitted in client mode by {@code treeline run --master spark://...}, up to the
 *       train step, with a worker killed while XGBoost boosts ({@link #killRun}): started last and left running
 *       while the notebooks and the browser review the registry, which it does not change.</li>
 * </ol>
 * What the model review surfaces (notebooks, the MLflow UI) then show is what a reviewer would see.
 */
final class ClusterRuns {
    static final LocalDate START = LocalDate.of(2001, 3, 1);
    static final LocalDate D1 = START.plusDays(20);
    static final LocalDate D2 = D1.plusDays(1);
    static final LocalDate D3 = D2.plusDays(1);
    /** Date 1's model is one stump, so that date 2's passes the gate with a significant margin. */
    static final List<String> WEAK = List.of("ROUNDS=1", "DEPTH=1");

    private static ClusterRuns instance;

    final Path dir;
    final Path sparkHome;
    final StandaloneCluster cluster;
    final Environment localEnv;
    final Environment clusterEnv;
    final String localName;
    final String clusterName;
    final Path localSpec;
    final Path clusterSpec;
    final TreelineJar.Result localRun;
    final double controllerRunSeconds;
    final Path controllerLog;
    /** The controller's record of its cluster-mode run, and its /metrics page right after. */
    RunRecord controllerRecord;
    String controllerMetrics;
    final KillRun killRun;

    static synchronized ClusterRuns get() {
        if (instance == null) {
            try {
                instance = new ClusterRuns(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "cluster-runs-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    private ClusterRuns(Path dir) {
        this.dir = dir;
        LocalStackFixture stack = LocalStackFixture.get();
        sparkHome = new Installer(EnvironmentResolver.system().cacheDir(), Progress.to(System.out)).sparkHome();
        cluster = StandaloneCluster.start(sparkHome, dir.resolve("spark"), 3, 1, "2g");
        Path data = SyntheticFlights.write(TestSpark.session(), dir.resolve("raw"), START, 25, 300, 21);
        String id = UUID.randomUUID().toString().substring(0, 6);
        localName = "local-" + id;
        clusterName = "cluster-" + id;
        localSpec = TestPipelines.writeSpec(dir.resolve("spec-local"), spec(data, localName));
        clusterSpec = TestPipelines.writeSpec(dir.resolve("spec-cluster"), spec(data, clusterName));
        localEnv = stack.environment(dir.resolve("ws-local"));
        clusterEnv = stack.environment(dir.resolve("ws-cluster"));
        try {
            List<String> d1 = new java.util.ArrayList<>(List.of(runArgs(clusterEnv, clusterSpec, D1, "local[2]", WEAK)));
            check(CliTest.run(d1.toArray(String[]::new)), "date 1 in this JVM");
            Instant start = Instant.now();
            controllerLog = controllerRun();
            controllerRunSeconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
            localRun = run(localEnv, localSpec, D2, "local[2]", "local-d2", List.of());
            check(localRun, "local run");
            check(models("approve", clusterName, "2", "--comment", "stronger model, significant AUC gain"), "approve");
            check(models("ab", "start", clusterName, "--challenger", "2", "--traffic", "10", "--comment", "10% canary"), "ab start");
            killRun = new KillRun(this);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The flights pipeline in small, two XGBoost workers of one thread, the origin slices evaluated. */
    static String spec(Path data, String name) {
        return TestPipelines.publishingFlightsSpec(data, 14, name, name)
                .replace("model:\n", "spark:\n  conf: {spark.sql.shuffle.partitions: \"8\"}\nmodel:\n")
                .replace("num_workers: 1, nthread: 1", "num_workers: 2, nthread: 1")
                .replace("early_stopping_rounds: 5", "early_stopping_rounds: \"${EARLY_STOP:-5}\"")
                .replace("seed: 7}", "seed: 7, checkpoint_rounds: \"${CHECKPOINT:-0}\"}")
                .replace("outputs: [evaluation]\n", "outputs: [evaluation]\n    params: {slices: [origin]}\n");
    }

    /** Environment of the runnable jar's processes: Spark's (MLflow and S3 come from the workspace's stack file). */
    Map<String, String> childEnv() {
        return StandaloneCluster.environment(sparkHome);
    }

    TreelineJar.Result run(Environment env, Path spec, LocalDate date, String master, String log, List<String> params, String... extra)
            throws InterruptedException {
        return TreelineJar.run(dir.resolve("logs").resolve(log + ".log"), childEnv(), Duration.ofMinutes(6), runArgs(env, spec, date, master, params, extra));
    }

    static String[] runArgs(Environment env, Path spec, LocalDate date, String master, List<String> params, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("run", spec.toString(), "--date", date.toString(), "--workspace", env.workspace().toString(),
                "--mlflow-uri", env.mlflowUri(), "--master", master));
        for (String p : params) args.addAll(List.of("--param", p));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** Date 2 of the cluster pipeline through a controller whose runs are spark-submitted in cluster deploy mode. */
    private Path controllerRun() throws InterruptedException {
        Path file = dir.resolve("schedule.yaml");
        try {
            Files.writeString(file, """
                controller:
                  metrics_port: 0
                  submit:
                    spark_home: %s
                    master: %s
                    deploy_mode: cluster
                    app_jar: %s
                schedules:
                  - name: nightly
                    pipeline: %s
                    cron: "0 0 2 * * ?"
                    params: {APPROVAL: manual}
                """.formatted(sparkHome, cluster.masterUrl(), TreelineJar.jar(), clusterSpec));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ScheduleFile.Loaded config = ScheduleFile.loadAll(file, Map.of(), clusterEnv.workspace(), System::getenv);
        SparkSubmitExecutor executor = new SparkSubmitExecutor(config.settings().submit(), clusterEnv.workspace(), clusterEnv.mlflowUri(), Map.of());
        try (Controller c = new Controller(config.settings(), config.schedules(), executor, Progress.to(System.out))) {
            c.start();
            RunRecord queued = c.queue(config.schedule("nightly"), D2, "manual", false, null, null).orElseThrow();
            Instant deadline = Instant.now().plus(Duration.ofMinutes(6));
            while (true) {
                RunRecord r = c.runs().get(queued.runId()).orElseThrow();
                if (r.finished()) {
                    if (!r.state().equals(RunRecord.SUCCEEDED)) {
                        throw new IllegalStateException("the controller's cluster-mode run ended " + r.state() + ": " + r.error() + "\n" + logs("submit"));
                    }
                    controllerRecord = r;
                    controllerMetrics = scrape(c.metrics().port());
                    break;
                }
                if (Instant.now().isAfter(deadline)) throw new IllegalStateException("the controller's cluster-mode run did not end in 6 minutes\n" + logs("submit"));
                Thread.sleep(500);
            }
            try (var files = Files.list(clusterEnv.workspace().resolve("scheduler/submit"))) {
                return files.findFirst().orElseThrow();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String scrape(int port) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Date 3 on the cluster in client mode, up to train: 1,500 rounds in checkpointed segments of 500, no
     * early stop. A watcher SIGKILLs a worker running an executor as soon as an executor's XGBoost joined
     * the collective ("Task N got rank M" in its stderr: the barrier stage of the first segment is
     * boosting); the segment is retried from its checkpoint on the executor Spark starts on the spare
     * worker. (Treeline keeps XGBoost's per-round lines quiet, so the rank line is the sign.)
     */
    static final class KillRun {
        final Path log;
        final Instant started = Instant.now();
        final Process process;
        volatile int killedWorkerPort = -1;
        volatile String watcherProblem;

        KillRun(ClusterRuns runs) {
            log = runs.dir.resolve("logs").resolve("cluster-d3-kill.log");
            process = TreelineJar.start(log, runs.childEnv(), runArgs(runs.clusterEnv, runs.clusterSpec, D3, runs.cluster.masterUrl(),
                    List.of("APPROVAL=manual", "ROUNDS=1500", "EARLY_STOP=0", "DEPTH=6", "CHECKPOINT=500"), "--to-step", "train"));
            Path sparkDir = runs.dir.resolve("spark");
            Thread watcher = new Thread(() -> {
                Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
                try {
                    while (!boosting(sparkDir, started)) {
                        if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                            watcherProblem = "the run ended (or hung) before an executor's XGBoost joined the collective";
                            return;
                        }
                        Thread.sleep(100);
                    }
                    killedWorkerPort = runs.cluster.killWorkerWithExecutor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    watcherProblem = e.toString();
                }
            }, "kill-a-worker");
            watcher.setDaemon(true);
            watcher.start();
        }

        /** Whether an executor started since {@code since} logged XGBoost's collective rank: its boosting began. */
        static boolean boosting(Path sparkDir, Instant since) {
            try (var files = Files.walk(sparkDir)) {
                return files.filter(f -> f.getFileName().toString().equals("stderr") && f.toString().contains("/app-"))
                        .filter(f -> f.toFile().lastModified() >= since.toEpochMilli())
                        .anyMatch(f -> TreelineJar.read(f).matches("(?s).*Task \\d+ got rank \\d+.*"));
            } catch (IOException | UncheckedIOException e) {
                return false; // a directory being created or removed as we walk: look again
            }
        }
    }

    CliTest.Result models(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("models"));
        all.addAll(List.of(args));
        all.addAll(List.of("--workspace", clusterEnv.workspace().toString(), "--mlflow-uri", clusterEnv.mlflowUri()));
        return CliTest.run(all.toArray(String[]::new));
    }

    private String logs(String what) {
        Path d = clusterEnv.workspace().resolve("scheduler/submit");
        StringBuilder sb = new StringBuilder();
        try (var files = Files.exists(d) ? Files.list(d) : java.util.stream.Stream.<Path>empty()) {
            files.forEach(f -> sb.append("--- ").append(f).append('\n').append(TreelineJar.read(f)));
        } catch (IOException e) {
            sb.append(e);
        }
        return sb.length() > 8000 ? sb.substring(sb.length() - 8000) : sb.toString();
    }

    private static void check(TreelineJar.Result r, String what) {
        if (r.code() != 0) throw new IllegalStateException(what + " exited " + r.code() + ":\n" + tail(r.output()));
    }

    private static void check(CliTest.Result r, String what) {
        if (r.code() != 0) throw new IllegalStateException(what + " exited " + r.code() + ":\n" + r.out() + r.err());
    }

    static String tail(String s) {
        return s.length() > 8000 ? s.substring(s.length() - 8000) : s;
    }
}
