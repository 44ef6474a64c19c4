package dev.treeline.pipelines.tracking;

import java.nio.file.Path;
import java.util.Map;

/** The experiment-tracking run of one pipeline run. Values must never contain secrets. */
public interface Tracker {
    /** The tracking run's id (the MLflow run id). */
    String runId();

    /** Where a person can look at the run, e.g. the MLflow UI page; may be empty. */
    String url();

    void logParams(Map<String, String> params);

    void logMetrics(Map<String, Double> metrics);

    /** One metric over steps 0..n-1, e.g. a loss per boosting round. */
    void logMetricHistory(String key, double[] values);

    void setTags(Map<String, String> tags);

    /** Uploads a file or a whole directory under {@code artifactPath} (empty for the root). */
    void logArtifacts(Path fileOrDirectory, String artifactPath);

    /**
     * A new run nested under this one (MLflow: tag {@code mlflow.parentRunId}, same experiment), e.g. one
     * tuning trial. The caller ends it.
     */
    Tracker child(String name, Map<String, String> tags);

    /** Marks the run finished or failed. */
    void end(boolean succeeded);
}
