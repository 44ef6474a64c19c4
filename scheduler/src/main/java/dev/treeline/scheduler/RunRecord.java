package dev.treeline.scheduler;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.run.RunStatus;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** One row of the runs table: a run of a schedule's pipeline for one logical date. */
public record RunRecord(
        @JsonProperty("run_id") String runId,
        @JsonProperty("schedule") String schedule,
        @JsonProperty("logical_date") LocalDate logicalDate,
        @JsonProperty("state") String state,
        @JsonProperty("kind") String kind,
        @JsonProperty("force") boolean force,
        @JsonProperty("attempts") int attempts,
        @JsonProperty("batch_id") String batchId,
        @JsonProperty("max_active") Integer maxActive,
        @JsonProperty("queued_at") Instant queuedAt,
        @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("ended_at") Instant endedAt,
        @JsonProperty("instance") String instance,
        @JsonProperty("error") String error,
        @JsonProperty("pipeline_run_id") String pipelineRunId,
        @JsonProperty("mlflow_run_id") String mlflowRunId,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("steps") String steps,
        @JsonProperty("cancel_requested") boolean cancelRequested) {

    // The runs table's states, as stored and printed: labels of the one run vocabulary.
    public static final String QUEUED = RunStatus.QUEUED.label();
    public static final String RUNNING = RunStatus.RUNNING.label();
    public static final String SUCCEEDED = RunStatus.SUCCEEDED.label();
    public static final String FAILED = RunStatus.FAILED.label();
    public static final String CANCELLED = RunStatus.CANCELLED.label();
    /** Every state a scheduled run can be in, in lifecycle order. */
    public static final List<String> STATES = List.of(QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED);

    /** {@link #state()} in the run vocabulary. */
    public RunStatus status() {
        return RunStatus.of(state);
    }

    public boolean finished() {
        return state.equals(SUCCEEDED) || state.equals(FAILED) || state.equals(CANCELLED);
    }

    public Double seconds() {
        return startedAt == null || endedAt == null ? null : (endedAt.toEpochMilli() - startedAt.toEpochMilli()) / 1000.0;
    }
}
