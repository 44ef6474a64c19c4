package dev.treeline.cli;

import dev.treeline.cli.bench.TrainBench;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", description = {"Training against native XGBoost, stock XGBoost4J-Spark and MLlib GBT, on the flights features.",
        "Builds the example's June feature snapshot once (in the cache), sizes the training rows to --rows, and trains each contender on them."})
final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--rows", paramLabel = "N", description = "Training rows: the snapshot's rows repeated or cut to N (default: ${DEFAULT-VALUE}).",
            defaultValue = "2500000")
    long rows;

    @Option(names = "--rounds", paramLabel = "N", description = "Boosting rounds (default: ${DEFAULT-VALUE}).", defaultValue = "100")
    int rounds;

    @Option(names = "--gbt-trees", paramLabel = "N", description = "Trees for Spark MLlib GBT (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int gbtTrees;

    @Option(names = "--max-depth", paramLabel = "N", description = "Tree depth for all (default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int depth;

    @Option(names = "--spec", paramLabel = "FILE", description = "Pipeline spec that builds the features (default: examples/flights/pipeline.yaml).")
    Path spec;

    @Mixin BenchOptions bench;

    @Override
    public Integer call() throws Exception {
        if (rows < 1000) throw new TreelineException(ExitCode.USAGE, "--rows " + rows + " is too few; use at least 1000");
        Path pipelineSpec = BenchOptions.pipelineSpec(spec);
        return bench.print(new TrainBench(bench.spark(), bench.work("train"), bench.cacheDir(), bench.progress())
                .run(bench.flights(), pipelineSpec, rows, rounds, gbtTrees, depth));
    }
}
