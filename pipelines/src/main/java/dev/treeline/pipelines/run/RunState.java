package dev.treeline.pipelines.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable record of one pipeline run for one logical date, in
 * {@code <workspace>/runs/<pipeline>/<date>/state.json} (written atomically after every change).
 */
public final class RunState {
    @JsonProperty public String pipeline;
    @JsonProperty("logical_date") public String logicalDate;
    @JsonProperty("run_id") public String runId;
    @JsonProperty public RunStatus status = RunStatus.PENDING;
    @JsonProperty public int attempt;
    @JsonProperty("spec_file") public String specFile;
    @JsonProperty("spec_hash") public String specHash;
    @JsonProperty("tracking_run_id") public String trackingRunId;
    @JsonProperty("tracking_url") public String trackingUrl;
    @JsonProperty("started_at") public String startedAt;
    @JsonProperty("finished_at") public String finishedAt;
    @JsonProperty public Double seconds;
    @JsonProperty public String error;
    /** Where native libraries and Spark wrote during the run (./treeline's log file), when known. */
    @JsonProperty("log_file") public String logFile;
    @JsonProperty public List<StepState> steps = new ArrayList<>();

    public StepState step(String name) {
        return steps.stream().filter(s -> s.name.equals(name)).findFirst().orElse(null);
    }

    /** A number a step reported, e.g. {@code step("evaluate").numbers.get("holdout_auc")}. */
    public Double number(String step, String key) {
        StepState s = step(step);
        return s == null ? null : s.numbers.get(key);
    }

    /**
     * A number the last step of type {@code type} reported (see {@link dev.treeline.pipelines.step.StepTypeNames}):
     * what a step does, whatever the spec named it.
     */
    public Double numberOfType(String type, String key) {
        Double out = null;
        for (StepState s : steps) if (type.equals(s.type) && s.numbers != null && s.numbers.get(key) != null) out = s.numbers.get(key);
        return out;
    }

    /** Whether this state was finished at or after {@code instant} (a second's slack for clocks), i.e. by a run started then. */
    public boolean finishedSince(Instant instant) {
        return finishedAt != null && !Instant.parse(finishedAt).isBefore(instant.minusSeconds(1));
    }
}
