package dev.treeline.scheduler;

/** Executes one attempt of a queued run to completion: in this process, or on a Spark cluster. */
public interface RunExecutor {
    /** What an attempt did. {@code cancelled}: stopped on request or at a deadline, not to be retried. */
    record Outcome(boolean succeeded, boolean cancelled, String error, String pipelineRunId, String mlflowRunId, String modelVersion, String steps,
                   java.util.Map<String, Double> stepSeconds, java.util.Map<String, Double> numbers) {
        static Outcome failed(String error, boolean cancelled) {
            return new Outcome(false, cancelled, error, null, null, null, null, java.util.Map.of(), java.util.Map.of());
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
