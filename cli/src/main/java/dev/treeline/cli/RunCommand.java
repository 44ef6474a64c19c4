package dev.treeline.cli;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.submit.SparkSubmission;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", description = {"Run a pipeline for one logical date.",
                "A failed or interrupted date resumes at the step that did not finish; a date that succeeded is left alone unless --force.",
                "A cluster master (spark://, yarn, k8s://) submits the run with spark-submit, executors sized for the spec's XGBoost workers."},
        sortOptions = false)
final class RunCommand implements Callable<Integer> {
    @Mixin PipelineOptions pipelineOptions;

    @Option(names = "--force", description = "Run again even if the date already succeeded (a new run).")
    boolean force;

    @Option(names = "--from-step", paramLabel = "STEP", description = "Redo this step and the ones after it, in the date's current run.")
    String fromStep;

    @Option(names = "--to-step", paramLabel = "STEP", description = "Stop after this step.")
    String toStep;

    @Option(names = "--deploy-mode", paramLabel = "MODE", description = "With a cluster master: client (the driver runs here, default) or cluster "
            + "(on the cluster); default: the spec's spark.deploy_mode.")
    String deployMode;

    @Option(names = "--spark-home", paramLabel = "DIR", description = "Spark distribution whose spark-submit submits to a cluster master "
            + "(default: $SPARK_HOME, else pyspark's, installed into the cache on first use).")
    Path sparkHome;

    /** Set by spark-submit's application arguments: this process is the driver, run here. */
    @Option(names = SparkSubmission.SUBMITTED_FLAG, hidden = true)
    boolean submitted;

    @Override
    public Integer call() throws InterruptedException {
        Path spec = pipelineOptions.spec;
        LocalDate date = pipelineOptions.date;
        Environment env = pipelineOptions.environment();
        Pipeline pipeline = Cli.load(spec, env.params());
        String effectiveMaster = env.sparkMaster() != null ? env.sparkMaster() : pipeline.spec().spark().master();
        if (!submitted && !effectiveMaster.startsWith("local")) {
            return new ClusterRun(env, pipeline, effectiveMaster, deployMode, sparkHome)
                    .submit(spec, date, force, fromStep, toStep);
        }
        RunOutcome outcome = Cli.runner(env, pipeline).run(pipeline, date, new RunOptions(force, fromStep, toStep));
        if (outcome.ranNow() && outcome.state().trackingUrl != null && !outcome.state().trackingUrl.isEmpty()) {
            System.out.println("MLflow run: " + outcome.state().trackingUrl);
        }
        return 0;
    }
}
