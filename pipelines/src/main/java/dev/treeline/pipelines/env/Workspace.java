package dev.treeline.pipelines.env;

import java.nio.file.Path;

/**
 * The layout of a workspace directory (default {@code ./.treeline}), defined once for every writer and
 * reader: run state and per-run data under {@code runs/}, curated datasets under {@code data/}, the local
 * stack's services under {@code stack/}, the embedded scheduler database and spark-submit logs under
 * {@code scheduler/}, and the log file under {@code logs/} (named by the ./treeline launcher).
 */
public record Workspace(Path root) {
    public static Workspace at(Path root) {
        return new Workspace(root);
    }

    /** Run state, per run: {@code runs/<pipeline>/<date>/<run id>/}. */
    public Path runs() {
        return root.resolve("runs");
    }

    /** Curated (partitioned) datasets, per pipeline: {@code data/<pipeline>/<dataset>/}. */
    public Path data() {
        return root.resolve("data");
    }

    /** The local stack's MLflow and S3Proxy: their data, logs and pid files. */
    public Path stack() {
        return root.resolve("stack");
    }

    /** The embedded scheduler database and the controller's spark-submit logs. */
    public Path scheduler() {
        return root.resolve("scheduler");
    }

    /** spark-submit's output for one attempt of a scheduled run. */
    public Path submitLog(String runId, int attempt) {
        return scheduler().resolve("submit").resolve(runId + "-attempt-" + attempt + ".log");
    }
}
