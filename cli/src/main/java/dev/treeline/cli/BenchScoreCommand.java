package dev.treeline.cli;

import dev.treeline.cli.bench.ScoreBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "score", description = {"Batch scoring against native XGBoost predict and stock XGBoost4J-Spark transform, on every flight.",
        "Trains the example's model for June 30 once (in the cache), then times Treeline's whole scoring step (read, aggregates, features,",
        "predict, write) and the baselines on the same model, rows and threads; prints rows per second per core."})
final class BenchScoreCommand implements Callable<Integer> {
    @Option(names = "--spec", paramLabel = "FILE", description = "Pipeline spec that builds the model (default: examples/flights/pipeline.yaml).")
    Path spec;

    @Mixin BenchOptions bench;

    @Override
    public Integer call() throws Exception {
        return bench.print(new ScoreBench(bench.spark(), bench.work("score"), bench.cacheDir(), bench.progress())
                .run(bench.flights(), BenchOptions.pipelineSpec(spec)));
    }
}
