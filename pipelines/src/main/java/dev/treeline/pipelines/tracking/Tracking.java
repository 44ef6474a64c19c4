package dev.treeline.pipelines.tracking;

import java.util.Map;

/** An open connection to a tracking backend. */
public interface Tracking {
    /** Starts a tracking run in the experiment named after the pipeline. */
    Tracker start(String experiment, String runName, Map<String, String> tags);

    /** Continues an earlier tracking run (resume after a failure). */
    Tracker resume(String runId);

    ModelStore models();

    /** Human description, e.g. the MLflow URL. */
    String describe();
}
