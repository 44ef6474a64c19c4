package dev.treeline.pipelines.submit;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.pipelines.step.Step;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.launcher.SparkLauncher;

/**
 * One pipeline run as a Spark application: {@code spark-submit} (built by {@link SparkLauncher}) of
 * Treeline's own jar running {@code treeline run … --submitted}, in client or cluster deploy mode, with
 * executors sized for the pipeline's XGBoost workers. The child's output is copied line by line to the
 * caller's streams (or a log file) and its exit code is the run's: in client mode it is the driver's own
 * exit code from the one table; in cluster mode spark-submit waits for the driver and exits non-zero when
 * it failed.
 */
public final class SparkSubmission {
    /** The flag {@code treeline run} gets inside the driver, so that it runs there instead of submitting again. */
    public static final String SUBMITTED_FLAG = "--submitted";

    /** Where to submit: the Spark distribution, master, deploy mode, the jar to run, extra conf. */
    public record Target(Path sparkHome, String master, String deployMode, Path appJar, String mainClass, Map<String, String> conf) {
        public Target {
            conf = conf == null ? Map.of() : Map.copyOf(conf);
        }
    }

    /** How the application ended: spark-submit's exit code, and the reason when it was stopped. */
    public record Result(int exitCode, Duration elapsed, String stoppedFor) {
        public boolean succeeded() {
            return exitCode == 0 && stoppedFor == null;
        }
    }

    private final Target target;

    public Target target() {
        return target;
    }

    public SparkSubmission(Target target) {
        if (target.sparkHome() == null || !Files.isRegularFile(target.sparkHome().resolve("bin/spark-submit"))) {
            throw new TreelineException(ExitCode.SERVICE, "no Spark distribution at " + target.sparkHome()
                    + " (bin/spark-submit is missing); set SPARK_HOME or --spark-home to a Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()
                    + " distribution");
        }
        this.target = target;
    }

    /** The most Spark tasks any step of the pipeline needs at once (its XGBoost workers), 0 for none. */
    public static int concurrentTasks(Pipeline pipeline) {
        return pipeline.steps().stream().mapToInt(Step::concurrentTasks).max().orElse(0);
    }

    /** The arguments of {@code treeline run} inside the driver; params come in a file (null: none), never as values on the command line. */
    public static List<String> runArgs(Path spec, String date, Path workspace, String master, String mlflowUri, Path paramFile,
                                       boolean force, String fromStep, String toStep) {
        List<String> args = new ArrayList<>(List.of("run", spec.toAbsolutePath().toString(), "--date", date,
                "--workspace", workspace.toAbsolutePath().toString(), "--master", master, SUBMITTED_FLAG));
        if (mlflowUri != null) args.addAll(List.of("--mlflow-uri", mlflowUri));
        if (force) args.add("--force");
        if (fromStep != null) args.addAll(List.of("--from-step", fromStep));
        if (toStep != null) args.addAll(List.of("--to-step", toStep));
        if (paramFile != null) args.addAll(List.of("--param-file", paramFile.toAbsolutePath().toString()));
        return args;
    }

    /**
     * The Spark settings of the application: the spec's, then the target's, then sizing for
     * {@code workers} XGBoost workers (one Spark task each, all at once in a barrier stage) where the
     * spec leaves it open: one executor per worker with {@code spark.task.cpus} cores, no dynamic
     * allocation (barrier stages refuse it), and a bounded wait for the slots before the stage fails.
     */
    public static Map<String, String> conf(SparkSpec spec, Map<String, String> extra, String master, int workers) {
        Map<String, String> c = new LinkedHashMap<>(spec.conf());
        c.putAll(extra);
        int taskCpus = Integer.parseInt(c.getOrDefault("spark.task.cpus", "1"));
        Integer cores = spec.executor().cores() != null ? spec.executor().cores() : workers > 0 ? Integer.valueOf(taskCpus) : null;
        Integer instances = spec.executor().instances() != null ? spec.executor().instances() : workers > 0 ? Integer.valueOf(workers) : null;
        if (cores != null) c.putIfAbsent("spark.executor.cores", cores.toString());
        if (instances != null) {
            c.putIfAbsent("spark.executor.instances", instances.toString());
            // Standalone sizes an application by its total cores, not by executor instances.
            if (master.startsWith("spark://") && cores != null) c.putIfAbsent("spark.cores.max", Integer.toString(instances * cores));
        }
        if (spec.executor().memory() != null) c.putIfAbsent("spark.executor.memory", spec.executor().memory());
        if (spec.driver().memory() != null) c.putIfAbsent("spark.driver.memory", spec.driver().memory());
        if (spec.driver().cores() != null) c.putIfAbsent("spark.driver.cores", spec.driver().cores().toString());
        if (workers > 0) {
            c.putIfAbsent("spark.dynamicAllocation.enabled", "false");
            // A barrier stage waits for all its slots; fail with Spark's message after 2 minutes instead of 10.
            c.putIfAbsent("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "5s");
            c.putIfAbsent("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "24");
        }
        // Standalone cluster mode: spark-submit follows the driver to its end (its exit code stays 0 either way: the run
        // state tells the outcome).
        c.putIfAbsent("spark.standalone.submit.waitAppCompletion", "true");
        // spark-submit gives a client-mode driver and the executors the --add-opens Spark needs on Java 17, but not a
        // driver that a standalone worker launches in cluster mode.
        String opens = JavaModuleOptions.defaultModuleOptions();
        String driverOpts = c.get("spark.driver.extraJavaOptions");
        c.put("spark.driver.extraJavaOptions", driverOpts == null ? opens : driverOpts + " " + opens);
        return c;
    }

    /**
     * The jars executors (and a cluster-mode driver) need beside Spark's own: those next to the
     * application jar in {@code lib/} that the Spark distribution does not have.
     */
    public static List<Path> extraJars(Path appJar, Path sparkHome) {
        Path lib = appJar.toAbsolutePath().getParent().resolve("lib");
        if (!Files.isDirectory(lib)) return List.of();
        Set<String> spark;
        try (Stream<Path> s = Files.list(sparkHome.resolve("jars"))) {
            spark = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            spark = Set.of();
        }
        Set<String> have = spark;
        try (Stream<Path> s = Files.list(lib)) {
            return s.filter(p -> p.toString().endsWith(".jar") && !have.contains(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new TreelineException(ExitCode.FAILURE, "cannot list " + lib + ": " + e.getMessage(), e);
        }
    }

    /** {@link #conf(SparkSpec, Map, String, int)} with this target's master and extra conf. */
    public Map<String, String> conf(SparkSpec spec, int workers) {
        return conf(spec, target.conf(), target.master(), workers);
    }

    /** The spark-submit of one application with the Spark settings {@code conf} (from {@link #conf(SparkSpec, int)}). */
    public SparkLauncher launcher(Map<String, String> conf, String appName, List<String> appArgs) {
        SparkLauncher l = new SparkLauncher()
                .setSparkHome(target.sparkHome().toString())
                .setJavaHome(System.getProperty("java.home"))
                .setMaster(target.master())
                .setDeployMode(target.deployMode())
                .setAppResource(target.appJar().toAbsolutePath().toString())
                .setMainClass(target.mainClass())
                .setAppName(appName)
                .addAppArgs(appArgs.toArray(String[]::new));
        for (Path jar : extraJars(target.appJar(), target.sparkHome())) l.addJar(jar.toString());
        conf.forEach(l::setConf);
        return l;
    }

    /**
     * Runs the application to its end. {@code stopReason} is asked every half second; a reason stops
     * it (SIGTERM to spark-submit, SIGKILL a minute later). Output goes to {@code out}/{@code err}.
     */
    public Result run(SparkLauncher launcher, Supplier<String> stopReason, PrintStream out, PrintStream err) throws InterruptedException {
        Instant start = Instant.now();
        Process p;
        try {
            p = launcher.launch();
        } catch (IOException e) {
            throw new TreelineException(ExitCode.SERVICE, "spark-submit from " + target.sparkHome() + " failed to start: " + e.getMessage(), e);
        }
        Thread o = pump(p.getInputStream(), out, "spark-submit-out");
        Thread e = pump(p.getErrorStream(), err, "spark-submit-err");
        Thread killer = new Thread(p::destroyForcibly, "spark-submit-kill");
        Runtime.getRuntime().addShutdownHook(killer);
        String stoppedFor = null;
        Instant stopAt = null;
        try {
            while (p.isAlive()) {
                p.waitFor(500, TimeUnit.MILLISECONDS);
                if (!p.isAlive()) break;
                if (stoppedFor == null && stopReason != null && (stoppedFor = stopReason.get()) != null) {
                    p.destroy();
                    stopAt = Instant.now();
                }
                if (stopAt != null && Instant.now().isAfter(stopAt.plusSeconds(60))) p.destroyForcibly();
            }
        } catch (InterruptedException ie) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            throw ie;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook kills the child
            }
        }
        o.join(5_000);
        e.join(5_000);
        return new Result(p.exitValue(), Duration.between(start, Instant.now()), stoppedFor);
    }

    private static Thread pump(InputStream in, PrintStream to, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    to.println(line);
                    to.flush();
                }
            } catch (IOException ignored) {
                // the child closed its end
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
