package dev.treeline.pipelines.env;

import java.nio.file.Path;
import java.util.Map;

/**
 * Resolved settings for one command: where the workspace and the caches are, and which MLflow, S3 and
 * Spark master to use. Built by {@link EnvironmentResolver}; configuration only, no connections.
 */
public record Environment(
        Path workspace,
        Path cacheDir,
        String mlflowUri,
        S3Settings s3,
        String sparkMaster,
        Map<String, String> params) {

    public Path runsDir() {
        return workspace.resolve("runs");
    }

    public Path dataDir() {
        return workspace.resolve("data");
    }

    public Environment withParams(Map<String, String> newParams) {
        return new Environment(workspace, cacheDir, mlflowUri, s3, sparkMaster, newParams);
    }
}
