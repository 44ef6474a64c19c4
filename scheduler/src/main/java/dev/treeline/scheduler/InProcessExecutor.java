package dev.treeline.scheduler;

import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStatus;
import dev.treeline.pipelines.run.StepState;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.step.StopSignal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the pipeline runner in this process, on a thread of its own so that the controller can watch
 * it: it polls the run state the runner persists (current step, its start) and, when asked to stop
 * (cancel, deadline), cancels the run's Spark jobs and interrupts the thread. The runner records the
 * failed step; the next attempt resumes there.
 */
public final class InProcessExecutor implements RunExecutor {
    private final PipelineRunner runner;
    private final Function<SparkSpec, SparkSession> sessions;
    private final Map<String, String> params;

    /**
     * {@code sessions} gives the controller's Spark session for a pipeline's {@code spark:} block (the first one
     * creates it); each run gets a session of its own on it with the spec's SQL settings, made active on the run's
     * thread, so the runner should take its session from {@link SparkSession#active()}.
     */
    public InProcessExecutor(PipelineRunner runner, Function<SparkSpec, SparkSession> sessions, Map<String, String> params) {
        this.runner = runner;
        this.sessions = sessions;
        this.params = params;
    }

    /** Every run on the one session {@code spark} gives, whatever its spec says (tests). */
    public InProcessExecutor(PipelineRunner runner, Supplier<SparkSession> spark, Map<String, String> params) {
        this(runner, spec -> spark.get(), params);
    }

    /**
     * A session for one run of a pipeline: the shared context, with the spec's settings that can change at run time
     * (SQL settings such as spark.sql.shuffle.partitions) and none of another run's. Settings fixed when the context
     * started (executor memory, cores) are the first run's; docs/scheduler.md says so.
     */
    static SparkSession forRun(SparkSession base, SparkSpec spec) {
        SparkSession s = base.newSession();
        spec.conf().forEach((k, v) -> {
            if (s.conf().isModifiable(k)) s.conf().set(k, v);
        });
        return s;
    }

    @Override
    public Outcome execute(ScheduleSpec schedule, RunRecord run, StopCheck stop) throws InterruptedException {
        Map<String, String> vars = new HashMap<>(params);
        vars.putAll(schedule.params());
        Pipeline pipeline;
        try {
            pipeline = new SpecLoader(StepTypes.discover()).load(schedule.pipeline(), vars);
        } catch (RuntimeException e) {
            return Outcome.failed(e.getMessage(), false);
        }
        String name = pipeline.spec().name();
        Throwable[] failure = new Throwable[1];
        // Set when the attempt is given up on (deadline, cancel): the run, if its thread goes on, stops at its next
        // step or registry write instead of registering, promoting or pushing for an attempt nobody waits for.
        AtomicReference<String> givenUp = new AtomicReference<>();
        StopSignal signal = () -> givenUp.get() != null ? givenUp.get() : stop.shuttingDown() ? "the controller is shutting down" : null;
        SparkSession[] session = new SparkSession[1];
        Thread worker = new Thread(() -> {
            try {
                SparkSession s = forRun(sessions.apply(pipeline.spec().spark()), pipeline.spec().spark());
                session[0] = s;
                SparkSession.setActiveSession(s);
                // Spark jobs of this run carry its id, so a stop cancels them and no other run's.
                s.sparkContext().setJobGroup(run.runId(), schedule.name() + " " + run.logicalDate(), true);
                runner.run(pipeline, run.logicalDate(), run.force() && run.attempts() <= 1 ? new RunOptions(true, null, null) : RunOptions.DEFAULT,
                        signal);
            } catch (Throwable e) {
                // Errors too (out of memory, a missing class): the run is failed and recorded, never left RUNNING.
                failure[0] = e;
            }
        }, "treeline-run-" + run.runId());
        worker.setDaemon(true);
        worker.start();
        String stoppedFor = null;
        while (worker.isAlive()) {
            // Each poll reads the run state file and the runs table (cancel requests): once a second is enough for deadlines in seconds.
            worker.join(1000);
            if (stoppedFor != null) continue;
            RunState state = runner.store().load(name, run.logicalDate());
            StepState current = state == null ? null : state.steps.stream().filter(st -> st.status == RunStatus.RUNNING).findFirst().orElse(null);
            stoppedFor = stop.reasonToStop(current == null ? null : current.name,
                    current == null || current.startedAt == null ? null : Instant.parse(current.startedAt));
            if (stoppedFor != null) {
                givenUp.set(stoppedFor);
                if (session[0] != null) session[0].sparkContext().cancelJobGroup(run.runId());
                worker.interrupt();
                worker.join(30_000);
                if (worker.isAlive()) break; // a step that ignores interrupts: leave its daemon thread, the run is failed anyway
            }
        }
        RunState state = runner.store().load(name, run.logicalDate());
        boolean ok = stoppedFor == null && failure[0] == null && state != null && state.status == RunStatus.SUCCEEDED;
        String error = stoppedFor != null ? stoppedFor : failure[0] != null ? RunFailures.describe(failure[0]) : ok ? null : "the run did not finish";
        return Outcome.of(ok, stoppedFor != null, error, state);
    }
}
