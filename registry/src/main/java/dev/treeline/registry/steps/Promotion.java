package dev.treeline.registry.steps;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code promotion} dataset: the gate's outcome, the approval, and who is champion afterwards. */
public record Promotion(
        @JsonProperty("model") String model,
        @JsonProperty("candidate_version") String candidateVersion,
        @JsonProperty("champion_version") String championVersion,
        @JsonProperty("promoted") boolean promoted,
        @JsonProperty("reason") String reason,
        @JsonProperty("validation_status") String validationStatus,
        @JsonProperty("approval_status") String approvalStatus) {}
