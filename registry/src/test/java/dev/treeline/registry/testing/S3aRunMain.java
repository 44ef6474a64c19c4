package dev.treeline.registry.testing;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.env.S3Settings;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;

/**
 * Runs one pipeline date in its own JVM against the local stack's S3 (found through the workspace's
 * stack file, or at the endpoint given, e.g. a fault proxy), with s3a announcing each pointer it writes
 * and taking its time over it ({@link SlowPointerS3AFileSystem}) when asked, so a test can SIGKILL it
 * mid-publish. Args: spec, workspace, date, force, slow|fast, [S3 endpoint].
 */
public final class S3aRunMain {
    public static void main(String[] args) {
        Map<String, String> none = Map.of();
        Environment env = new EnvironmentResolver(none::get).resolve(Path.of(args[1]), null, null, Map.of());
        if (args.length > 5) {
            S3Settings s3 = env.s3();
            env = new Environment(env.workspace(), env.cacheDir(), env.mlflowUri(),
                    new S3Settings(args[5], s3.region(), s3.accessKeyId(), s3.secretAccessKey(), s3.sse(), s3.sseKmsKeyId()), env.sparkMaster(), env.params());
        }
        if (args[4].equals("slow")) TestSpark.session().sparkContext().hadoopConfiguration().set("fs.s3a.impl", SlowPointerS3AFileSystem.class.getName());
        new PipelineRunner(env, NoTracking::new, TestSpark::session, line -> {})
                .run(TestPipelines.load(Path.of(args[0]), Map.of()), LocalDate.parse(args[2]), new RunOptions(Boolean.parseBoolean(args[3]), null, null));
        System.exit(0);
    }
}
