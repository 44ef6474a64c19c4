package dev.treeline.cli.bench;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.S3Settings;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The pipeline runner benchmarks use: a workspace of their own, no MLflow, no S3, the benchmark's Spark session. */
final class UntrackedRunner {
    private UntrackedRunner() {}

    static PipelineRunner create(SparkSession spark, Path workspace, Path cache, Progress progress) {
        Environment env = new Environment(workspace, cache, "", new S3Settings(null, "us-east-1", null, null, S3Settings.SSE_S3, null), null, Map.of());
        return new PipelineRunner(env, NoTracking::new, () -> spark, line -> progress.detail(line));
    }
}
