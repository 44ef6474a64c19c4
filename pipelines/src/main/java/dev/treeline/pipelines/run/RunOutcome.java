package dev.treeline.pipelines.run;

/** What {@link PipelineRunner#run} did: ran (and how it ended) or found the date already done. */
public record RunOutcome(Kind kind, RunState state) {
    public enum Kind { SUCCEEDED, ALREADY_SUCCEEDED }

    public boolean ranNow() {
        return kind == Kind.SUCCEEDED;
    }
}
