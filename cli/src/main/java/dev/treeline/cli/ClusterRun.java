package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.submit.SparkSubmission;
import dev.treeline.pipelines.submit.SubmittedRun;
import dev.treeline.registry.local.Installer;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * {@code treeline run} against a cluster master: spark-submit of this runnable jar, which runs the same
 * command inside the driver; the run's state in the workspace tells how it ended.
 */
final class ClusterRun {
    static final String MAIN_CLASS = "dev.treeline.cli.Treeline";

    private final Environment env;
    private final Pipeline pipeline;
    private final String master;
    private final String deployMode;
    private final Path sparkHome;

    ClusterRun(Environment env, Pipeline pipeline, String master, String deployMode, Path sparkHome) {
        this.env = env;
        this.pipeline = pipeline;
        this.master = master;
        this.deployMode = deployMode != null ? deployMode : pipeline.spec().spark().deployMode();
        if (!List.of("client", "cluster").contains(this.deployMode)) {
            throw new TreelineException(ExitCode.USAGE, "--deploy-mode takes client or cluster, got '" + this.deployMode + "'");
        }
        this.sparkHome = sparkHome;
    }

    /** The Spark distribution: the option, SPARK_HOME, else pyspark's installed into the cache. */
    static Path sparkHome(Path option, Environment env) {
        Path configured = EnvironmentResolver.system().sparkHome(option);
        if (configured != null) return configured;
        return new Installer(env.cacheDir(), Progress.to(System.out)).sparkHome();
    }

    /** The runnable jar this process runs from; spark-submit runs the same one on the cluster. */
    static Path ownJar() {
        try {
            Path p = Path.of(ClusterRun.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!p.toString().endsWith(".jar")) {
                throw new TreelineException(ExitCode.USAGE, "submitting to a cluster needs the runnable jar (./treeline builds cli/target/treeline.jar);"
                        + " this process runs from " + p);
            }
            return p;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    int submit(Path spec, LocalDate date, boolean force, String fromStep, String toStep) throws InterruptedException {
        Path home = sparkHome(sparkHome, env);
        int workers = SparkSubmission.concurrentTasks(pipeline);
        SparkSubmission submission = new SparkSubmission(new SparkSubmission.Target(home, master, deployMode, ownJar(), MAIN_CLASS, Map.of()));
        SubmittedRun run = new SubmittedRun(submission, pipeline, date,
                new SubmittedRun.RunRequest(spec, env.workspace(), env.mlflowUri(), env.params(), force, fromStep, toStep));
        String name = pipeline.spec().name();
        Map<String, String> conf = run.conf();
        System.out.println("Submitting " + name + " " + date + " to " + master + " (" + deployMode + " deploy mode"
                + (conf.containsKey("spark.executor.instances") ? ", " + conf.get("spark.executor.instances") + " executor(s) x "
                + conf.getOrDefault("spark.executor.cores", "?") + " core(s)" : "")
                + (workers > 0 ? " for " + workers + " XGBoost worker(s)" : "") + ") with " + home.resolve("bin/spark-submit"));
        SubmittedRun.Ended ended = run.run("treeline " + name + " " + date, null, System.out, System.err);
        int exit = ended.submit().exitCode();
        System.out.printf("Spark application on %s ended after %.1f s (spark-submit exit %d)%n", master, ended.submit().elapsed().toMillis() / 1000.0, exit);
        if (ended.succeeded()) return 0;
        // Client mode: the driver ran in spark-submit's JVM and printed its own error; its exit code is the run's, from the table.
        if (deployMode.equals("client") && exit != 0) return ExitCode.known(exit) ? exit : ExitCode.FAILURE.code();
        throw new TreelineException(ExitCode.FAILURE, "the run of " + name + " " + date + " on " + master + " failed: " + ended.failure());
    }
}
