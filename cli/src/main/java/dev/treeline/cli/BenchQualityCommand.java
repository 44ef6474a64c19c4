package dev.treeline.cli;

import dev.treeline.cli.bench.QualityBench;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "quality", description = {"Model quality against the limit: Treeline's tuned spec, native XGBoost with default parameters, and "
        + "(for generated tables) the Bayes-optimal model, on the same rows and split.",
        "Datasets: generated tables of known true probabilities (smooth_additive, interactions, high_cardinality, label_noise, imbalanced), "
                + "the German credit example (stratified, 5-fold cross-validation) and the flights example (June as the holdout)."})
final class BenchQualityCommand implements Callable<Integer> {
    @Option(names = "--datasets", split = ",", paramLabel = "NAME", description = "Which datasets (default: all): ${DEFAULT-VALUE}.",
            defaultValue = "smooth_additive,interactions,high_cardinality,label_noise,imbalanced,german_credit,flights")
    List<String> datasets;

    @Option(names = "--rows", paramLabel = "N", description = "Rows of each generated table (default: ${DEFAULT-VALUE}).", defaultValue = "50000")
    int rows;

    @Option(names = "--trials", paramLabel = "N", description = "Tuning trials of Treeline's spec (default: ${DEFAULT-VALUE}).", defaultValue = "30")
    int trials;

    @Option(names = "--budget-minutes", paramLabel = "M", description = "Tuning time budget per dataset, whichever ends first (default: ${DEFAULT-VALUE}).",
            defaultValue = "4")
    double budgetMinutes;

    @Option(names = "--spec", paramLabel = "FILE", description = "The flights pipeline spec (default: examples/flights/pipeline.yaml).")
    Path spec;

    @Mixin BenchOptions bench;

    @Override
    public Integer call() throws Exception {
        for (String d : datasets) {
            if (!QualityBench.DATASETS.contains(d)) {
                throw new TreelineException(ExitCode.USAGE, "--datasets: unknown dataset '" + d + "'; expected some of " + QualityBench.DATASETS);
            }
        }
        if (rows < 2000) throw new TreelineException(ExitCode.USAGE, "--rows " + rows + " is too few for a 20% holdout to measure AUC; use at least 2000");
        if (trials < 1) throw new TreelineException(ExitCode.USAGE, "--trials must be at least 1");
        Path flights = datasets.contains("flights") ? bench.flights() : null;
        Path credit = datasets.contains("german_credit") ? GermanCreditData.locate(Cli.home(), bench.cacheDir(), bench.progress()) : null;
        QualityBench.Sources sources = new QualityBench.Sources(flights, BenchOptions.pipelineSpec(spec), credit,
                Cli.home().resolve("examples/german-credit/pipeline.yaml"));
        return bench.print(new QualityBench(bench.spark(), bench.work("quality"), bench.cacheDir(), bench.progress())
                .run(datasets, rows, trials, budgetMinutes, sources));
    }
}
