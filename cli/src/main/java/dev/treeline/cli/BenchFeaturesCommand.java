package dev.treeline.cli;

import dev.treeline.cli.bench.BenchReport;
import dev.treeline.cli.bench.FeaturesBench;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.run.SparkSessions;
import dev.treeline.pipelines.spec.SparkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "features", description = {"Nightly aggregate update against a full rebuild, on the flights data.",
        "Runs the shipped example's aggregates step for 2001-06-30 from nothing and as the night after 2001-06-29, and compares the results."})
final class BenchFeaturesCommand implements Callable<Integer> {
    @Option(names = "--output", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).", defaultValue = "text")
    OutputFormat output;

    @Option(names = "--repeat", paramLabel = "N", description = "Runs of each measurement; the fastest counts (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int repeat;

    @Option(names = "--spec", paramLabel = "FILE", description = "Pipeline spec with ingest, validate and aggregates steps (default: examples/flights/pipeline.yaml).")
    Path spec;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[*]).")
    String master;

    @Mixin CommonOptions common;

    @Override
    public Integer call() throws Exception {
        EnvironmentResolver r = EnvironmentResolver.system();
        Path pipelineSpec = spec != null ? spec : Cli.home().resolve("examples/flights/pipeline.yaml");
        if (!Files.isRegularFile(pipelineSpec)) {
            throw new TreelineException(dev.treeline.pipelines.ExitCode.USAGE, "pipeline spec " + pipelineSpec + " not found; pass --spec FILE");
        }
        Progress progress = output == OutputFormat.json ? line -> System.err.println(line) : Cli.OUT;
        Path flights = FlightsData.locate(Cli.home(), r.cacheDir(), progress);
        var spark = SparkSessions.getOrCreate(new SparkSpec("local[*]", Map.of()), master, false);
        Path work = r.workspace(common.workspace).resolve("bench").resolve("features");
        BenchReport report = new FeaturesBench(spark, work, r.cacheDir(), progress).run(flights, pipelineSpec, repeat);
        report.print(System.out, output == OutputFormat.json);
        return 0;
    }
}
