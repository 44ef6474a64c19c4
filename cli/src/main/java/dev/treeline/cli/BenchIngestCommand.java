package dev.treeline.cli;

import dev.treeline.cli.bench.IngestBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ingest", description = {"Ingest + validate against Spark's plain read -> write, on the flights data.",
        "Rewrites the flights as CSV and as Parquet once (in the cache), then times both paths for each format in one Spark session."})
final class BenchIngestCommand implements Callable<Integer> {
    @Option(names = "--repeat", paramLabel = "N", description = "Runs of each measurement; the fastest counts (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int repeat;

    @Mixin BenchOptions bench;

    @Override
    public Integer call() throws Exception {
        return bench.print(new IngestBench(bench.spark(), bench.work("ingest"), bench.cacheDir().resolve("bench"), bench.progress())
                .run(bench.flights(), repeat));
    }
}
