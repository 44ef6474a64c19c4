package dev.treeline.scheduler;

import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.StepState;
import dev.treeline.pipelines.step.StepTypeNames;
import dev.treeline.pipelines.util.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Executes one attempt of a queued run to completion: in this process, or on a Spark cluster. */
public interface RunExecutor {
    /** What an attempt did. {@code cancelled}: stopped on request or at a deadline, not to be retried. */
    record Outcome(boolean succeeded, boolean cancelled, String error, String pipelineRunId, String mlflowRunId, String modelVersion, String steps,
                   Map<String, Double> stepSeconds, Map<String, Double> numbers) {
        static Outcome failed(String error, boolean cancelled) {
            return new Outcome(false, cancelled, error, null, null, null, null, Map.of(), Map.of());
        }

        /**
         * The outcome of a run as its state records it, the same whoever ran it (in this process or spark-submitted):
         * a row per step, durations by step name, numbers by step <em>type</em> ("evaluate.holdout_auc", whatever the
         * spec named the step), and the model version the register step recorded.
         */
        static Outcome of(boolean succeeded, boolean cancelled, String error, RunState state) {
            if (state == null) return new Outcome(succeeded, cancelled, error, null, null, null, null, Map.of(), Map.of());
            Map<String, Double> seconds = new LinkedHashMap<>();
            Map<String, Double> numbers = new LinkedHashMap<>();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (StepState st : state.steps) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", st.name);
                r.put("state", st.status.label());
                r.put("attempts", st.attempts);
                r.put("seconds", st.seconds);
                rows.add(r);
                if (st.seconds != null) seconds.put(st.name, st.seconds);
                if (st.numbers != null) st.numbers.forEach((k, v) -> numbers.put(st.type + "." + k, v));
            }
            Double version = numbers.get(StepTypeNames.REGISTER + ".model_version");
            return new Outcome(succeeded, cancelled, error, state.runId, state.trackingRunId, version == null ? null : String.valueOf(version.longValue()),
                    Json.canonical(rows), seconds, numbers);
        }
    }

    /** Asked between polls whether to stop (a cancel request or a deadline); the reason, or null to go on. */
    interface StopCheck {
        String reasonToStop(String currentStep, Instant stepStartedAt);

        /** The controller is shutting down: finish the running step, start no other. */
        default boolean shuttingDown() {
            return false;
        }
    }

    Outcome execute(ScheduleSpec schedule, RunRecord run, StopCheck stop) throws InterruptedException;
}
