package dev.treeline.scheduler;

/** Executes one attempt of a queued run to completion: in this process, or on a Spark cluster. */
public interface RunExecutor {
    /** What an attempt did. {@code cancelled}: stopped on request or at a deadline, not to be retried. */
    record Outcome(boolean succeeded, boolean cancelled, String error, String pipelineRunId, String mlflowRunId, String modelVersion, String steps,
                   java.util.Map<String, Double> stepSeconds, java.util.Map<String, Double> numbers) {
        static Outcome failed(String error, boolean cancelled) {
            return new Outcome(false, cancelled, error, null, null, null, null, java.util.Map.of(), java.util.Map.of());
        }

        /**
         * The outcome of a run as its state records it, the same whoever ran it (in this process or spark-submitted):
         * a row per step, durations by step name, numbers by step <em>type</em> ("evaluate.holdout_auc", whatever the
         * spec named the step), and the model version the register step recorded.
         */
        static Outcome of(boolean succeeded, boolean cancelled, String error, dev.treeline.pipelines.run.RunState state) {
            if (state == null) return new Outcome(succeeded, cancelled, error, null, null, null, null, java.util.Map.of(), java.util.Map.of());
            java.util.Map<String, Double> seconds = new java.util.LinkedHashMap<>();
            java.util.Map<String, Double> numbers = new java.util.LinkedHashMap<>();
            java.util.List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
            for (dev.treeline.pipelines.run.StepState st : state.steps) {
                java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
                r.put("name", st.name);
                r.put("state", st.status.label());
                r.put("attempts", st.attempts);
                r.put("seconds", st.seconds);
                rows.add(r);
                if (st.seconds != null) seconds.put(st.name, st.seconds);
                if (st.numbers != null) st.numbers.forEach((k, v) -> numbers.put(st.type + "." + k, v));
            }
            Double version = numbers.get(dev.treeline.pipelines.step.StepTypeNames.REGISTER + ".model_version");
            return new Outcome(succeeded, cancelled, error, state.runId, state.trackingRunId, version == null ? null : String.valueOf(version.longValue()),
                    dev.treeline.pipelines.util.Json.canonical(rows), seconds, numbers);
        }
    }

    /** Asked between polls whether to stop (a cancel request or a deadline); the reason, or null to go on. */
    interface StopCheck {
        String reasonToStop(String currentStep, java.time.Instant stepStartedAt);

        /** The controller is shutting down: finish the running step, start no other. */
        default boolean shuttingDown() {
            return false;
        }
    }

    Outcome execute(ScheduleSpec schedule, RunRecord run, StopCheck stop) throws InterruptedException;
}
