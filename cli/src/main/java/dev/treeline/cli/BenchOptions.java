package dev.treeline.cli;

import dev.treeline.cli.bench.BenchReport;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.spec.SparkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every {@code treeline bench} command takes and sets up: output format, Spark master, workspace, the flights data. */
final class BenchOptions {
    @Mixin OutputOption output;

    @Mixin MasterOption master;

    @Mixin CommonOptions common;

    @Option(names = "--data", paramLabel = "FILE", description = "The flights data (default: $TREELINE_DATA, else ../shared's copy, else fetched into the cache).")
    Path data;

    final EnvironmentResolver resolver = EnvironmentResolver.system();

    /** Progress goes to standard error with --output json, so standard output is the one JSON object. */
    Progress progress() {
        return Cli.progress(output.json());
    }

    Path flights() {
        return FlightsData.locate(Cli.home(), resolver.cacheDir(), progress(), data);
    }

    SparkSession spark() {
        return Cli.spark(resolver.sparkMaster(master.master), SparkSpec.DEFAULT);
    }

    Path cacheDir() {
        return resolver.cacheDir();
    }

    /** The benchmark's own directory under the workspace. */
    Path work(String benchmark) {
        return Workspace.at(resolver.workspace(common.workspace)).bench(benchmark);
    }

    /** {@code spec}, or the shipped flights example when it is null. */
    static Path pipelineSpec(Path spec) {
        Path file = spec != null ? spec : Cli.home().resolve("examples/flights/pipeline.yaml");
        if (!Files.isRegularFile(file)) throw new TreelineException(ExitCode.USAGE, "pipeline spec " + file + " not found; pass --spec FILE");
        return file;
    }

    int print(BenchReport report) {
        report.print(System.out, output.json());
        return 0;
    }
}
