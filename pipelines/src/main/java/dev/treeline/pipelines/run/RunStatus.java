package dev.treeline.pipelines.run;

public enum RunStatus {
    PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED
}
