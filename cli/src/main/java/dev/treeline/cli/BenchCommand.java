package dev.treeline.cli;

import picocli.CommandLine.Command;

@Command(name = "bench", description = "Benchmarks that measure Treeline against its baselines in one run.",
        subcommands = {BenchIngestCommand.class, BenchFeaturesCommand.class, BenchTrainCommand.class, BenchScoreCommand.class, BenchQualityCommand.class})
final class BenchCommand {
}
