package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.submit.SparkSubmission;
import dev.treeline.pipelines.submit.SubmittedRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs each attempt as a Spark application through {@link SubmittedRun}, exactly as {@code treeline
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

    /** What the driver is asked to run: Treeline's run command for the run's date (--force on a forced run's first attempt). */
    SubmittedRun.RunRequest request(ScheduleSpec schedule, RunRecord run) {
        Map<String, String> vars = new LinkedHashMap<>(params);
        vars.putAll(schedule.params());
        return new SubmittedRun.RunRequest(schedule.pipeline(), workspace, mlflowUri, vars, run.force() && run.attempts() <= 1, null, null);
    }

    @Override
    public Outcome execute(ScheduleSpec schedule, RunRecord run, StopCheck stop) throws InterruptedException {
        SubmittedRun.RunRequest request = request(schedule, run);
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(schedule.pipeline(), request.params());
        SparkSubmission submission = new SparkSubmission(new SparkSubmission.Target(submit.sparkHome(), submit.master(), submit.deployMode(),
                submit.appJar(), submit.mainClass(), submit.conf()));
        Path log = Workspace.at(workspace).submitLog(run.runId(), run.attempts());
        Instant start = Instant.now();
        SubmittedRun.Ended ended;
        try {
            Files.createDirectories(log.getParent());
            try (PrintStream out = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
                ended = new SubmittedRun(submission, pipeline, run.logicalDate(), request).run("treeline " + schedule.name() + " " + run.logicalDate(),
                        () -> stop.reasonToStop(null, start), out, out);
            }
        } catch (IOException e) {
            throw new TreelineException(ExitCode.FAILURE, "cannot write " + log + ": " + e.getMessage(), e);
        }
        boolean ok = ended.succeeded();
        return Outcome.of(ok, ended.submit().stoppedFor() != null, ok ? null : ended.failure() + " (log: " + log + ")", ended.freshState());
    }
}
