package dev.treeline.pipelines.step;

/**
 * The type names of the step types Treeline ships, defined once: each {@link StepType} returns its own
 * from here, and whatever must find a step by what it does (the scheduler's run summary and metrics,
 * `treeline validate`, `treeline tune`) looks it up by these, never by the step's name in a spec.
 */
public final class StepTypeNames {
    private StepTypeNames() {}

    public static final String INGEST = "ingest";
    public static final String VALIDATE = "validate";
    public static final String AGGREGATES = "aggregates";
    public static final String FEATURES = "features";
    public static final String TRAIN = "xgboost_train";
    public static final String EVALUATE = "evaluate";
    public static final String REGISTER = "register";
    public static final String PROMOTE = "promote";
    public static final String PUSH = "push";
    public static final String SCORE = "score";
    public static final String MONITOR = "monitor";
}
