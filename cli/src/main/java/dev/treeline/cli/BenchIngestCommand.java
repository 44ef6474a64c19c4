package dev.treeline.cli;

import dev.treeline.cli.bench.IngestBench;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ingest", description = {"Ingest + validate against Spark's plain read -> write, on the flights data or a generated wide table.",
        "Rewrites the data as CSV and as Parquet once (in the cache), then times both paths for each format in one Spark session.",
        "--columns N (or N,M,...) generates tables of N mixed-type columns instead (strings, longs, doubles, booleans, dates, text, nulls)."})
final class BenchIngestCommand implements Callable<Integer> {
    @Option(names = "--repeat", paramLabel = "N", description = "Runs of each measurement; the fastest counts, so that neither side pays alone for the JVM's and Spark's code generation (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int repeat;

    @Option(names = "--columns", split = ",", paramLabel = "N", description = "Generated wide tables of N columns (e.g. 50,500) instead of the flights.")
    List<Integer> columns;

    @Option(names = "--rows", paramLabel = "N", description = "Rows of the generated tables (default: ${DEFAULT-VALUE}).", defaultValue = "200000")
    long rows;

    @Mixin BenchOptions bench;

    @Override
    public Integer call() throws Exception {
        IngestBench b = new IngestBench(bench.spark(), bench.work("ingest"), bench.cacheDir().resolve("bench"), bench.progress());
        if (columns != null && !columns.isEmpty()) {
            for (int n : columns) {
                if (n < 8) throw new TreelineException(ExitCode.USAGE, "--columns " + n + ": a wide table has at least 8 columns");
            }
            return bench.print(b.runWide(columns, rows, repeat));
        }
        return bench.print(b.run(bench.flights(), repeat));
    }
}
