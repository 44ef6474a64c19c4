package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStatus;
import dev.treeline.pipelines.run.RunStore;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.submit.SparkSubmission;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.SparkLauncher;

/**
 * Runs each attempt as a Spark application through {@link SparkSubmission}, exactly as {@code treeline
 * run --master} does: the Treeline jar's {@code run} command, client or cluster deploy mode, executors
 * sized for the pipeline's XGBoost workers. spark-submit's output goes to a log per attempt under
 * {@code <workspace>/scheduler/submit/}. The run state is written to the workspace, which must be
 * shared with the driver in cluster mode; the attempt's outcome is read from it. A stop (deadline,
 * cancel) ends spark-submit, which in client mode ends the application.
 */
public final class SparkSubmitExecutor implements RunExecutor {
    /** The {@code controller.submit} settings. */
    public record Submit(Path sparkHome, String master, String deployMode, Path appJar, String mainClass, Map<String, String> conf) {}

    private final Submit submit;
    private final Path workspace;
    private final String mlflowUri;
    private final Map<String, String> params;

    public SparkSubmitExecutor(Submit submit, Path workspace, String mlflowUri, Map<String, String> params) {
        this.submit = submit;
        this.workspace = workspace;
        this.mlflowUri = mlflowUri;
        this.params = params;
    }

    /** The application's arguments: Treeline's run command for the run's date. */
    List<String> appArgs(ScheduleSpec schedule, RunRecord run) {
        return SparkSubmission.runArgs(schedule.pipeline(), run.logicalDate().toString(), workspace, submit.master(), mlflowUri, vars(schedule),
                run.force() && run.attempts() <= 1, null, null);
    }

    private Map<String, String> vars(ScheduleSpec schedule) {
        Map<String, String> vars = new LinkedHashMap<>(params);
        vars.putAll(schedule.params());
        return vars;
    }

    private SparkSubmission submission() {
        return new SparkSubmission(new SparkSubmission.Target(submit.sparkHome(), submit.master(), submit.deployMode(), submit.appJar(),
                submit.mainClass(), submit.conf()));
    }

    SparkLauncher launcher(SparkSubmission submission, ScheduleSpec schedule, RunRecord run, Pipeline pipeline) {
        return submission.launcher(submission.conf(pipeline.spec().spark(), SparkSubmission.concurrentTasks(pipeline)),
                "treeline " + schedule.name() + " " + run.logicalDate(), appArgs(schedule, run));
    }

    @Override
    public Outcome execute(ScheduleSpec schedule, RunRecord run, StopCheck stop) throws InterruptedException {
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(schedule.pipeline(), vars(schedule));
        Path log = workspace.resolve("scheduler").resolve("submit").resolve(run.runId() + "-attempt-" + run.attempts() + ".log");
        Instant start = Instant.now();
        SparkSubmission.Result r;
        try {
            java.nio.file.Files.createDirectories(log.getParent());
            try (PrintStream out = new PrintStream(java.nio.file.Files.newOutputStream(log), true, java.nio.charset.StandardCharsets.UTF_8)) {
                SparkSubmission submission = submission();
                r = submission.run(launcher(submission, schedule, run, pipeline), () -> stop.reasonToStop(null, start), out, out);
            }
        } catch (java.io.IOException e) {
            throw new TreelineException(ExitCode.FAILURE, "cannot write " + log + ": " + e.getMessage(), e);
        }
        RunState state = new RunStore(workspace.resolve("runs")).load(pipeline.spec().name(), run.logicalDate());
        boolean fresh = state != null && state.finishedSince(start);
        boolean ok = r.succeeded() && fresh && state.status == RunStatus.SUCCEEDED;
        String error = r.stoppedFor() != null ? r.stoppedFor() : ok ? null
                : (fresh && state.error != null ? state.error
                        : "the Spark application on " + submit.master() + " failed before the pipeline finished (spark-submit exit " + r.exitCode()
                        + "; in cluster deploy mode the driver's log is on the cluster)") + " (log: " + log + ")";
        // A state left by an earlier attempt says nothing about this one.
        return Outcome.of(ok, r.stoppedFor() != null, error, fresh ? state : null);
    }
}
