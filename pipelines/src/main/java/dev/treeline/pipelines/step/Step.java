package dev.treeline.pipelines.step;

/**
 * A configured step, ready to run. Steps transform data; the catalog in the context does all I/O.
 * Implementations must be idempotent: the runner may run a step again after a crash.
 */
public interface Step {
    StepResult run(StepContext context) throws Exception;

    /**
     * Bumped when a step's code changes what it writes, so cached outputs made by older code are redone.
     */
    default String version() {
        return "1";
    }

    /**
     * Spark tasks the step needs running at the same time (XGBoost's barrier stage: one per worker),
     * 0 when it has no such need. Submitting to a cluster sizes the executors so that they fit.
     */
    default int concurrentTasks() {
        return 0;
    }
}
