package dev.treeline.pipelines.env;

import java.nio.file.Path;

/**
 * The layout of a workspace directory (default {@code ./.treeline}), defined once for every writer and
 * reader: run state and per-run data under {@code runs/}, curated datasets under {@code data/}, the local
 * stack's services under {@code stack/}, the embedded scheduler database and spark-submit logs under
 * {@code scheduler/}, dataset locks under {@code locks/}, incremental sources' watermarks under {@code state/},
 * the model audit trail under {@code audit/}, scratch files of commands under {@code tmp/}, benchmark work under
 * {@code bench/}, and the log file under {@code logs/} (named by the ./treeline launcher).
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

    /** The embedded scheduler database's password (owner-only, created on first use). */
    public Path schedulerPasswordFile() {
        return scheduler().resolve("h2.password");
    }

    /** spark-submit's output for one attempt of a scheduled run. */
    public Path submitLog(String runId, int attempt) {
        return scheduler().resolve("submit").resolve(runId + "-attempt-" + attempt + ".log");
    }

    /** The lock a run holds while it stages and publishes a partitioned dataset. */
    public Path datasetLock(String pipeline, String dataset) {
        return root.resolve("locks").resolve(pipeline + "." + dataset + ".lock");
    }

    /** The lock under which decisions on one model (approve, promote, rollback, A/B) are taken on this host. */
    public Path modelLock(String model) {
        return root.resolve("locks").resolve("model-" + model + ".lock");
    }

    /** The watermark an incremental source of a pipeline was last read up to. */
    public Path watermark(String pipeline, String dataset) {
        return root.resolve("state").resolve(pipeline).resolve("watermark-" + dataset + ".json");
    }

    /** The model audit trail, one JSON-lines file per model. */
    public Path audit() {
        return root.resolve("audit");
    }

    /** Scratch space of commands (downloads for verify, registry scratch). */
    public Path tmp() {
        return root.resolve("tmp");
    }

    /** A benchmark's working directory. */
    public Path bench(String benchmark) {
        return root.resolve("bench").resolve(benchmark);
    }
}
