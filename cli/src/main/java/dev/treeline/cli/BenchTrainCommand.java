package dev.treeline.cli;

import dev.treeline.cli.bench.BenchReport;
import dev.treeline.cli.bench.TrainBench;
import dev.treeline.pipelines.ExitCode;
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

    @Option(names = "--output", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).", defaultValue = "text")
    OutputFormat output;

    @Option(names = "--spec", paramLabel = "FILE", description = "Pipeline spec that builds the features (default: examples/flights/pipeline.yaml).")
    Path spec;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[*]).")
    String master;

    @Mixin CommonOptions common;

    @Override
    public Integer call() throws Exception {
        EnvironmentResolver r = EnvironmentResolver.system();
        Path pipelineSpec = spec != null ? spec : Cli.home().resolve("examples/flights/pipeline.yaml");
        if (!Files.isRegularFile(pipelineSpec)) throw new TreelineException(ExitCode.USAGE, "pipeline spec " + pipelineSpec + " not found; pass --spec FILE");
        if (rows < 1000) throw new TreelineException(ExitCode.USAGE, "--rows " + rows + " is too few; use at least 1000");
        Progress progress = output == OutputFormat.json ? line -> System.err.println(line) : Cli.OUT;
        Path flights = FlightsData.locate(Cli.home(), r.cacheDir(), progress);
        var spark = SparkSessions.getOrCreate(new SparkSpec("local[*]", Map.of()), master, false);
        Path work = r.workspace(common.workspace).resolve("bench").resolve("train");
        BenchReport report = new TrainBench(spark, work, r.cacheDir(), progress).run(flights, pipelineSpec, rows, rounds, gbtTrees, depth);
        report.print(System.out, output == OutputFormat.json);
        return 0;
    }
}
