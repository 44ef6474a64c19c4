package dev.treeline.cli.bench;

import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.util.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Ingest benchmark: on the flights data written as CSV and as Parquet, the plain Spark job a user would
 * write (read with the schema, add the day, write Parquet partitioned by day) against Treeline's ingest
 * plus validate (quarantine, markers, the flights contract with drift), in the same Spark session.
 */
public final class IngestBench {
    static final LocalDate DATE = LocalDate.of(2001, 6, 30);
    static final StructType SCHEMA = new StructType().add("date", DataTypes.TimestampNTZType).add("delay", DataTypes.LongType)
            .add("distance", DataTypes.LongType).add("origin", DataTypes.StringType).add("destination", DataTypes.StringType);

    private final SparkSession spark;
    private final Path work;
    private final Path cache;
    private final Progress progress;

    public IngestBench(SparkSession spark, Path work, Path cache, Progress progress) {
        this.spark = spark;
        this.work = work;
        this.cache = cache;
        this.progress = progress;
    }

    public BenchReport run(Path flights, int repeat) throws IOException {
        Path parquet = cache.resolve("flights-parquet");
        Path csv = cache.resolve("flights-csv");
        long rows = prepare(flights, parquet, csv);
        Path contract = work.resolve("contract.yaml");
        Files.createDirectories(work);
        try (InputStream in = IngestBench.class.getResourceAsStream("flights.yaml")) {
            Files.copy(in, contract, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        progress.info("warming up the JVM and Spark ...");
        bare("parquet", parquet, work.resolve("warmup"));

        List<BenchResult> results = new ArrayList<>();
        for (String format : List.of("parquet", "csv")) {
            Path input = format.equals("csv") ? csv : parquet;
            double bare = Double.MAX_VALUE;
            double treeline = Double.MAX_VALUE;
            for (int i = 0; i < repeat; i++) {
                progress.info(format + ": Spark read -> write (run " + (i + 1) + ") ...");
                bare = Math.min(bare, bare(format, input, work.resolve("bare-" + format)));
                progress.info(format + ": Treeline ingest + validate (run " + (i + 1) + ") ...");
                treeline = Math.min(treeline, treeline(format, input, contract, work.resolve("treeline-" + format + "-" + i)));
            }
            results.add(new BenchResult(format + ": Spark read -> write partitioned by day (baseline)", bare, 1.0, null));
            results.add(new BenchResult(format + ": Treeline ingest + validate", treeline, treeline / bare,
                    "quarantine, markers, contract rules, drift, report"));
        }
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("rows", rows);
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("spark_master", spark.sparkContext().master());
        env.put("repeat", repeat);
        return new BenchReport("ingest", "Treeline ingest + validate at most 1.3x the baseline of the same format", env, results);
    }

    /** Writes the flights as 8 Parquet files and 8 CSV files with a header, once. */
    long prepare(Path flights, Path parquet, Path csv) {
        Dataset<Row> all = spark.read().parquet(flights.toString());
        long rows = all.count();
        if (!Files.exists(parquet.resolve("_SUCCESS_TREELINE"))) {
            progress.info("writing the flights as Parquet into " + parquet + " (once) ...");
            all.repartition(8).write().mode(SaveMode.Overwrite).parquet(parquet.toString());
            touch(parquet.resolve("_SUCCESS_TREELINE"));
        }
        if (!Files.exists(csv.resolve("_SUCCESS_TREELINE"))) {
            progress.info("writing the flights as CSV into " + csv + " (once) ...");
            all.repartition(8).write().mode(SaveMode.Overwrite).option("header", true).option("timestampNTZFormat", "yyyy-MM-dd HH:mm:ss")
                    .csv(csv.toString());
            touch(csv.resolve("_SUCCESS_TREELINE"));
        }
        return rows;
    }

    double bare(String format, Path input, Path out) throws IOException {
        AtomicFiles.deleteRecursively(out);
        long t0 = System.nanoTime();
        var reader = spark.read().schema(SCHEMA);
        if (format.equals("csv")) reader = reader.option("header", true).option("timestampNTZFormat", "yyyy-MM-dd HH:mm:ss");
        reader.format(format).load(input.toString())
                .withColumn("day", functions.to_date(functions.col("date")))
                .write().partitionBy("day").parquet(out.toString());
        return (System.nanoTime() - t0) / 1e9;
    }

    double treeline(String format, Path input, Path contract, Path workspace) throws IOException {
        AtomicFiles.deleteRecursively(workspace);
        Files.createDirectories(workspace);
        Path spec = workspace.resolve("pipeline.yaml");
        Files.writeString(spec, """
            pipeline: bench-ingest
            datasets:
              raw:
                format: %s
                path: %s
                schema: {date: timestamp, delay: long, distance: long, origin: string, destination: string}
              flights: {partitioned_by: day}
              unreadable: {partitioned_by: day}
              valid: {partitioned_by: day}
              rejects: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [flights, unreadable], params: {time_column: date, history_start: 2001-01-01}}
              - {name: validate, inputs: [flights], outputs: [valid, rejects, report], params: {contract: %s}}
            """.formatted(format, input, contract), StandardCharsets.UTF_8);
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(spec, Map.of());
        PipelineRunner runner = UntrackedRunner.create(spark, workspace, cache, progress);
        long t0 = System.nanoTime();
        runner.run(pipeline, DATE, RunOptions.DEFAULT);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void touch(Path p) {
        try {
            Files.writeString(p, "");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
