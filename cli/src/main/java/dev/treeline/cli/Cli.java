package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.ConsoleProgress;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.run.SparkSessions;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.tracking.NoTracking;
import dev.treeline.pipelines.tracking.Tracking;
import dev.treeline.pipelines.tracking.TrackingBackend;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/** Wiring shared by the commands: settings, spec loading, the runner. */
final class Cli {
    private Cli() {}

    /** Progress on standard output, with a live status line on a terminal (see ConsoleProgress). */
    static final Progress OUT = ConsoleProgress.standardOutput();

    /** Progress of a command whose standard output is one JSON object: on standard error. */
    static final Progress ERR = ConsoleProgress.standardError();

    /** Where a command reports progress: standard error when its standard output is JSON. */
    static Progress progress(boolean json) {
        return json ? ERR : OUT;
    }

    static Environment environment(CommonOptions common, String mlflowUri, String master, Map<String, String> params) {
        return EnvironmentResolver.system().resolve(common.workspace, mlflowUri, master, params);
    }

    static Map<String, String> params(List<String> assignments) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new TreelineException(ExitCode.USAGE, "--param takes NAME=VALUE, got '" + a + "'");
            out.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return out;
    }

    static Pipeline load(Path spec, Map<String, String> params) {
        return new SpecLoader(StepTypes.discover()).load(spec, params);
    }

    /** The tracking backend on the classpath with the highest priority (MLflow), opened lazily. */
    static Supplier<Tracking> tracking(Environment env) {
        return () -> ServiceLoader.load(TrackingBackend.class).stream().map(ServiceLoader.Provider::get)
                .max(Comparator.comparingInt(TrackingBackend::priority))
                .map(b -> b.open(env))
                .orElseGet(NoTracking::new);
    }

    static PipelineRunner runner(Environment env, Pipeline pipeline) {
        return runner(env, pipeline, OUT);
    }

    static PipelineRunner runner(Environment env, Pipeline pipeline, Progress progress) {
        return new PipelineRunner(env, tracking(env), () -> spark(env.sparkMaster(), pipeline.spec().spark()), progress);
    }

    /**
     * The process's Spark session, its master resolved the same way for every command: --master, then
     * TREELINE_SPARK_MASTER (both resolved into {@code master}, see EnvironmentResolver#sparkMaster), then the
     * spec's spark.master, else local[*].
     */
    static SparkSession spark(String master, SparkSpec spec) {
        return SparkSessions.getOrCreate(spec, master, System.console() != null);
    }

    /** Where the repository is when run through ./treeline (for examples/ and ../shared). */
    static Path home() {
        String home = System.getProperty("treeline.home");
        return Path.of(home != null ? home : ".").toAbsolutePath().normalize();
    }
}
