package dev.treeline.scheduler;

import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStatus;
import dev.treeline.pipelines.run.StepState;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.util.Json;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final Supplier<SparkSession> spark;
    private final Map<String, String> params;

    public InProcessExecutor(PipelineRunner runner, Supplier<SparkSession> spark, Map<String, String> params) {
        this.runner = runner;
        this.spark = spark;
        this.params = params;
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
        RuntimeException[] failure = new RuntimeException[1];
        Thread worker = new Thread(() -> {
            try {
                SparkSession s = spark.get();
                // Spark jobs of this run carry its id, so a stop cancels them and no other run's.
                s.sparkContext().setJobGroup(run.runId(), schedule.name() + " " + run.logicalDate(), true);
                runner.run(pipeline, run.logicalDate(), run.force() && run.attempts() <= 1 ? new RunOptions(true, null, null) : RunOptions.DEFAULT,
                        stop::shuttingDown);
            } catch (RuntimeException e) {
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
                try {
                    spark.get().sparkContext().cancelJobGroup(run.runId());
                } catch (RuntimeException ignored) {
                    // no Spark session yet
                }
                worker.interrupt();
                worker.join(30_000);
                if (worker.isAlive()) break; // a step that ignores interrupts: leave its daemon thread, the run is failed anyway
            }
        }
        RunState state = runner.store().load(name, run.logicalDate());
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<String, Double> numbers = new LinkedHashMap<>();
        String steps = null;
        if (state != null) {
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            for (StepState st : state.steps) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", st.name);
                r.put("state", st.status.name().toLowerCase());
                r.put("attempts", st.attempts);
                r.put("seconds", st.seconds);
                rows.add(r);
                if (st.seconds != null) seconds.put(st.name, st.seconds);
                if (st.numbers != null) st.numbers.forEach((k, v) -> numbers.put(st.name + "." + k, v));
            }
            steps = Json.canonical(rows);
        }
        String version = state == null || state.number("register", "model_version") == null ? null
                : String.valueOf(state.number("register", "model_version").longValue());
        boolean ok = stoppedFor == null && failure[0] == null && state != null && state.status == RunStatus.SUCCEEDED;
        String error = stoppedFor != null ? stoppedFor : failure[0] != null ? failure[0].getMessage() : ok ? null : "the run did not finish";
        return new Outcome(ok, stoppedFor != null, error, state == null ? null : state.runId, state == null ? null : state.trackingRunId, version, steps,
                seconds, numbers);
    }
}
