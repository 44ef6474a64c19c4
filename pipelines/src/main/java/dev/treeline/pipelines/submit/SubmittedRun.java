package dev.treeline.pipelines.submit;

import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStatus;
import dev.treeline.pipelines.run.RunStore;
import dev.treeline.pipelines.spec.ParamsFile;
import dev.treeline.pipelines.spec.Pipeline;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One run of a pipeline for a date as a Spark application, for both {@code treeline run --master} and the
 * controller's {@code controller.submit}: the spark-submit (executors sized for the pipeline's XGBoost
 * workers), then the run state the driver wrote to the shared workspace, which is the only record of how
 * the run itself ended (in cluster deploy mode spark-submit exits 0 whatever the driver did).
 */
public final class SubmittedRun {
    private final SparkSubmission submission;
    private final Pipeline pipeline;
    private final LocalDate date;
    private final RunRequest request;

    /** What the driver is asked to do: {@code treeline run}'s flags. */
    public record RunRequest(Path spec, Path workspace, String mlflowUri, Map<String, String> params, boolean force, String fromStep,
                             String toStep) {
        /** The arguments of {@code treeline run} inside the driver, its params in {@code paramFile} (null when there are none). */
        public List<String> args(String master, LocalDate date, Path paramFile) {
            return SparkSubmission.runArgs(spec, date.toString(), workspace, master, mlflowUri, paramFile, force, fromStep, toStep);
        }
    }

    /**
     * How it ended. {@code state} is the date's run state after the application (null when there is none);
     * {@code fresh} when that state finished during this application, not before it.
     */
    public record Ended(SparkSubmission.Result submit, RunState state, boolean fresh, RunRequest request, SparkSubmission.Target target) {
        /**
         * The run did what it was asked: spark-submit succeeded and the date's run succeeded in this
         * application (or, without --force, had already succeeded: the driver leaves such a date alone), or a
         * --to-step run stopped where asked.
         */
        public boolean succeeded() {
            if (!submit.succeeded() || state == null) return false;
            if (state.status == RunStatus.SUCCEEDED) return fresh || !request.force();
            return fresh && request.toStep() != null && state.status == RunStatus.PENDING && state.error == null;
        }

        /** The state of this application's run, never one an earlier attempt left. */
        public RunState freshState() {
            return fresh ? state : null;
        }

        /** Why it failed, from the driver's own error when it recorded one. */
        public String failure() {
            String master = target.master();
            if (submit.stoppedFor() != null) return submit.stoppedFor();
            if (fresh && state.error != null) return state.error;
            return "the Spark application on " + master + " (" + target.deployMode() + " deploy mode) failed before the pipeline finished (spark-submit exit "
                    + submit.exitCode() + "; in cluster deploy mode the driver's log is on the cluster"
                    + (master.startsWith("spark://") ? ", in the master's web UI under Completed Drivers" : "") + ")";
        }
    }

    public SubmittedRun(SparkSubmission submission, Pipeline pipeline, LocalDate date, RunRequest request) {
        this.submission = submission;
        this.pipeline = pipeline;
        this.date = date;
        this.request = request;
    }

    /** The Spark settings of the application (the spec's, the target's, then the sizing for its workers). */
    public Map<String, String> conf() {
        return submission.conf(pipeline.spec().spark(), SparkSubmission.concurrentTasks(pipeline));
    }

    /**
     * Submits and waits. {@code appName} is what the cluster's UI shows (the controller names the schedule,
     * the command line the pipeline); {@code stopReason} (may be null) is asked every half second.
     */
    public Ended run(String appName, Supplier<String> stopReason, PrintStream out, PrintStream err) throws InterruptedException {
        Instant started = Instant.now();
        // Params (possibly secrets) go to the driver in an owner-only file on the shared workspace, not in its arguments.
        Path paramFile = request.params().isEmpty() ? null : ParamsFile.writePrivate(Workspace.at(request.workspace()).tmp(), request.params());
        SparkSubmission.Result r;
        try {
            r = submission.run(submission.launcher(conf(), appName, request.args(submission.target().master(), date, paramFile)), stopReason, out, err);
        } finally {
            if (paramFile != null) delete(paramFile);
        }
        RunState state = new RunStore(Workspace.at(request.workspace()).runs()).load(pipeline.spec().name(), date);
        return new Ended(r, state, state != null && state.finishedSince(started), request, submission.target());
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the params file " + file + "; delete it by hand", e);
        }
    }
}
