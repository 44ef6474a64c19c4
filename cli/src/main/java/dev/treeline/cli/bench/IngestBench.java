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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
            Files.copy(in, contract, StandardCopyOption.REPLACE_EXISTING);
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

    /**
     * The wide-table benchmark: for each width, a generated table of that many mixed-type columns
     * ({@link WideTable}) as CSV and as Parquet, the same bare read -> write against Treeline's ingest +
     * validate (a contract rule on every column). With two or more widths, the last line of each format
     * compares its ratio at the widest with the narrowest ({@code width_growth}).
     */
    public BenchReport runWide(List<Integer> widths, long rows, int repeat) throws IOException {
        LocalDate start = LocalDate.of(2001, 1, 1);
        int days = 7;
        List<BenchResult> results = new ArrayList<>();
        Map<String, Double> firstRatio = new LinkedHashMap<>();
        Map<String, Double> lastRatio = new LinkedHashMap<>();
        boolean warm = false;
        for (int width : widths) {
            WideTable table = new WideTable(width, rows, start, days);
            Path contract = work.resolve("wide-" + width).resolve("contract.yaml");
            Files.createDirectories(contract.getParent());
            Files.writeString(contract, table.contractYaml());
            StructType schema = new StructType();
            for (var e : table.schema().entrySet()) schema = schema.add(e.getKey(), e.getValue().spark());
            for (String format : List.of("csv", "parquet")) {
                Path input = cache.resolve("wide-" + width + "x" + rows + "-" + format);
                if (!Files.exists(input.resolve("_SUCCESS_TREELINE"))) {
                    progress.info(String.format("writing %,d rows x %d columns as %s into %s (once) ...", rows, width, format, input));
                    table.write(spark, format, input, 8);
                    touch(input.resolve("_SUCCESS_TREELINE"));
                }
                if (!warm) {
                    progress.info("warming up the JVM and Spark ...");
                    bare(format, input, schema, "event_time", work.resolve("warmup"));
                    warm = true;
                }
                double bare = Double.MAX_VALUE;
                double treeline = Double.MAX_VALUE;
                for (int i = 0; i < repeat; i++) {
                    progress.info(width + " columns, " + format + ": Spark read -> write (run " + (i + 1) + ") ...");
                    bare = Math.min(bare, bare(format, input, schema, "event_time", work.resolve("bare-" + format)));
                    progress.info(width + " columns, " + format + ": Treeline ingest + validate (run " + (i + 1) + ") ...");
                    treeline = Math.min(treeline, treeline(format, input, table.schemaYaml(), "event_time", start, start.plusDays(days - 1), contract,
                            work.resolve("treeline-" + format + "-" + width + "-" + i)));
                }
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("format", format);
                facts.put("columns", width);
                facts.put("rows", rows);
                results.add(new BenchResult(format + ", " + width + " columns: Spark read -> write partitioned by day (baseline)", bare, 1.0, null, facts));
                Map<String, Object> mine = new LinkedHashMap<>(facts);
                double ratio = treeline / bare;
                firstRatio.putIfAbsent(format, ratio);
                lastRatio.put(format, ratio);
                if (widths.size() > 1 && width == widths.get(widths.size() - 1)) mine.put("width_growth", ratio / firstRatio.get(format));
                results.add(new BenchResult(format + ", " + width + " columns: Treeline ingest + validate", treeline, ratio,
                        "quarantine, markers, a contract rule on every column", mine));
            }
        }
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("rows", rows);
        env.put("columns", widths);
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("spark_master", spark.sparkContext().master());
        env.put("repeat", repeat);
        return new BenchReport("ingest", "Treeline ingest + validate at most 1.5x the baseline of the same format at 500 columns, "
                + "and its ratio at 500 columns at most 1.5x its ratio at 50 (width_growth)", env, results);
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
        return bare(format, input, SCHEMA, "date", out);
    }

    /** The job a user would write: read with the schema, add the day, write Parquet partitioned by day. */
    double bare(String format, Path input, StructType schema, String timeColumn, Path out) throws IOException {
        AtomicFiles.deleteRecursively(out);
        long t0 = System.nanoTime();
        var reader = spark.read().schema(schema);
        if (format.equals("csv")) reader = reader.option("header", true).option("timestampNTZFormat", "yyyy-MM-dd HH:mm:ss");
        reader.format(format).load(input.toString())
                .withColumn("day", functions.to_date(functions.col(timeColumn)))
                .write().partitionBy("day").parquet(out.toString());
        return (System.nanoTime() - t0) / 1e9;
    }

    double treeline(String format, Path input, Path contract, Path workspace) throws IOException {
        return treeline(format, input, "{date: timestamp, delay: long, distance: long, origin: string, destination: string}", "date",
                LocalDate.of(2001, 1, 1), DATE, contract, workspace);
    }

    double treeline(String format, Path input, String schemaYaml, String timeColumn, LocalDate start, LocalDate date, Path contract,
                    Path workspace) throws IOException {
        AtomicFiles.deleteRecursively(workspace);
        Files.createDirectories(workspace);
        Path spec = workspace.resolve("pipeline.yaml");
        Files.writeString(spec, """
            pipeline: bench-ingest
            datasets:
              raw:
                format: %s
                path: %s
                schema: %s
              flights: {partitioned_by: day}
              unreadable: {partitioned_by: day}
              valid: {partitioned_by: day}
              rejects: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [flights, unreadable], params: {time_column: %s, history_start: %s}}
              - {name: validate, inputs: [flights], outputs: [valid, rejects, report], params: {contract: %s}}
            """.formatted(format, input, schemaYaml, timeColumn, start, contract), StandardCharsets.UTF_8);
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(spec, Map.of());
        PipelineRunner runner = UntrackedRunner.create(spark, workspace, cache, progress);
        long t0 = System.nanoTime();
        runner.run(pipeline, date, RunOptions.DEFAULT);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void touch(Path p) {
        try {
            Files.writeString(p, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
