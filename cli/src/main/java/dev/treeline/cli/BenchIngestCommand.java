package dev.treeline.cli;

import dev.treeline.cli.bench.BenchReport;
import dev.treeline.cli.bench.IngestBench;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.run.SparkSessions;
import dev.treeline.pipelines.spec.SparkSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ingest", description = {"Ingest + validate against Spark's plain read -> write, on the flights data.",
        "Rewrites the flights as CSV and as Parquet once (in the cache), then times both paths for each format in one Spark session."})
final class BenchIngestCommand implements Callable<Integer> {
    @Option(names = "--output", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).", defaultValue = "text")
    OutputFormat output;

    @Option(names = "--repeat", paramLabel = "N", description = "Runs of each measurement; the fastest counts (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int repeat;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[*]).")
    String master;

    @Mixin CommonOptions common;

    @Override
    public Integer call() throws Exception {
        EnvironmentResolver r = EnvironmentResolver.system();
        Progress progress = output == OutputFormat.json ? line -> System.err.println(line) : Cli.OUT;
        Path flights = FlightsData.locate(Cli.home(), r.cacheDir(), progress);
        var spark = SparkSessions.getOrCreate(new SparkSpec("local[*]", Map.of()), master, false);
        Path work = r.workspace(common.workspace).resolve("bench").resolve("ingest");
        BenchReport report = new IngestBench(spark, work, r.cacheDir().resolve("bench"), progress).run(flights, repeat);
        report.print(System.out, output == OutputFormat.json);
        return 0;
    }
}
