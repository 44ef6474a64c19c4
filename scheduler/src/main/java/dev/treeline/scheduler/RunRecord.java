package dev.treeline.scheduler;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.LocalDate;

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

    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    public boolean finished() {
        return state.equals(SUCCEEDED) || state.equals(FAILED) || state.equals(CANCELLED);
    }

    public Double seconds() {
        return startedAt == null || endedAt == null ? null : (endedAt.toEpochMilli() - startedAt.toEpochMilli()) / 1000.0;
    }
}
