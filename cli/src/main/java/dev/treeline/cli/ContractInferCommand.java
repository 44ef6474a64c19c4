package dev.treeline.cli;

import dev.treeline.features.validate.ContractDraft;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.pipelines.util.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "infer", description = {"Draft a data contract from a sample of the data, for a person to edit.",
        "Types, nullability, ranges, allowed values or patterns, rows per day, freshness and drift checks, from what the sample shows."})
final class ContractInferCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH", description = "Data: a Parquet, CSV (with a header) or JSON Lines file or directory.")
    String path;

    @Option(names = "--format", paramLabel = "FORMAT", description = "parquet, csv or jsonl (default: from the file name, else parquet).")
    String format;

    @Option(names = "--sample-rows", paramLabel = "N", description = "Rows to look at (default: ${DEFAULT-VALUE}).", defaultValue = "1000000")
    int sampleRows;

    @picocli.CommandLine.Mixin MasterOption master;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the draft here instead of standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
        var spark = Cli.spark(EnvironmentResolver.system().sparkMaster(master.master), SparkSpec.DEFAULT);
        String f = format != null ? format : path.endsWith(".csv") ? "csv" : path.endsWith(".jsonl") || path.endsWith(".json") ? "jsonl" : "parquet";
        String yaml = ContractDraft.infer(spark, path, f, sampleRows);
        if (out == null) {
            System.out.print(yaml);
        } else {
            AtomicFiles.write(out, yaml.getBytes(StandardCharsets.UTF_8));
            System.out.println("Wrote a draft contract to " + out + ": review every rule before using it.");
        }
        return 0;
    }
}
