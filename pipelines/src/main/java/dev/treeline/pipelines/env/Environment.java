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

    /** The MLflow tracking server to use; when none is configured and no local stack runs, an error that says how to get one. */
    public String requireMlflow() {
        if (mlflowUri != null && !mlflowUri.isBlank()) return mlflowUri;
        throw EnvironmentResolver.noMlflow(workspace, cacheDir);
    }

    /** The workspace's layout. */
    public Workspace layout() {
        return Workspace.at(workspace);
    }

    public Path runsDir() {
        return layout().runs();
    }

    public Path dataDir() {
        return layout().data();
    }

    public Environment withParams(Map<String, String> newParams) {
        return new Environment(workspace, cacheDir, mlflowUri, s3, sparkMaster, newParams);
    }
}
