package dev.treeline.pipelines.run;

/**
 * How to run: {@code force} redoes a date that succeeded; {@code fromStep}/{@code toStep} run a slice
 * (steps before {@code fromStep} must have succeeded in this run already, or be cached).
 */
public record RunOptions(boolean force, String fromStep, String toStep) {
    public static final RunOptions DEFAULT = new RunOptions(false, null, null);
}
