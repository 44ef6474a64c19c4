package dev.treeline.cli;

import dev.treeline.cli.bench.FeaturesBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "features", description = {"Nightly aggregate update against a full rebuild, on the flights data.",
        "Runs the shipped example's aggregates step for 2001-06-30 from nothing and as the night after 2001-06-29, and compares the results."})
final class BenchFeaturesCommand implements Callable<Integer> {
    @Option(names = "--repeat", paramLabel = "N", description = "Runs of each measurement; the fastest counts (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int repeat;

    @Option(names = "--spec", paramLabel = "FILE", description = "Pipeline spec with ingest, validate and aggregates steps (default: examples/flights/pipeline.yaml).")
    Path spec;

    @Mixin BenchOptions bench;

    @Override
    public Integer call() throws Exception {
        Path pipelineSpec = BenchOptions.pipelineSpec(spec);
        return bench.print(new FeaturesBench(bench.spark(), bench.work("features"), bench.cacheDir(), bench.progress())
                .run(bench.flights(), pipelineSpec, repeat));
    }
}
