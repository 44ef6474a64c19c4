package dev.treeline.cli.bench;

import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Features benchmark: the shipped flights example's {@code aggregates} step for one logical date, built
 * from nothing (every partial and as-of day of the window) against the nightly update after the previous
 * date (one new day). Both run through the pipeline runner on the whole flights file, in one Spark session,
 * and the two results are compared row for row.
 */
public final class FeaturesBench {
    static final LocalDate DATE = LocalDate.of(2001, 6, 30);
    static final String STEP = "aggregates";
    static final List<String> OUTPUTS = List.of("flight_partials", "flight_aggregates");

    private final SparkSession spark;
    private final Path work;
    private final Path cache;
    private final Progress progress;

    public FeaturesBench(SparkSession spark, Path work, Path cache, Progress progress) {
        this.spark = spark;
        this.work = work;
        this.cache = cache;
        this.progress = progress;
    }

    public BenchReport run(Path flights, Path pipelineSpec, int repeat) throws IOException {
        AtomicFiles.deleteRecursively(work);
        Files.createDirectories(work);
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(pipelineSpec, Map.of("TREELINE_DATA", flights.toString()));
        PipelineRunner runner = UntrackedRunner.create(spark, work, cache, progress);
        Path data = work.resolve("data").resolve(pipeline.spec().name());

        progress.info("ingesting and validating the flights up to " + DATE + " (once, not timed) ...");
        runner.run(pipeline, DATE.minusDays(1), new RunOptions(false, null, "validate"));
        runner.run(pipeline, DATE, new RunOptions(false, null, "validate"));

        double full = Double.MAX_VALUE;
        double nightly = Double.MAX_VALUE;
        long differing = 0;
        long rows = 0;
        for (int i = 0; i < repeat; i++) {
            progress.info("nightly: aggregates of " + DATE.minusDays(1) + " from nothing (not timed), then " + DATE + " (run " + (i + 1) + ") ...");
            clear(data);
            aggregates(runner, pipeline, DATE.minusDays(1));
            nightly = Math.min(nightly, aggregates(runner, pipeline, DATE));
            // Kept as plain Parquet (read through the catalog: days are published by pointer) while the full rebuild reuses the dataset.
            Path kept = work.resolve("nightly-result");
            AtomicFiles.deleteRecursively(kept);
            published(pipeline).write().parquet(kept.toString());

            progress.info("full rebuild: aggregates of " + DATE + " from nothing (run " + (i + 1) + ") ...");
            clear(data);
            full = Math.min(full, aggregates(runner, pipeline, DATE));

            // The nightly store still holds the day that left the window (D-1's first day); compare the window.
            Dataset<Row> b = published(pipeline);
            Object firstDay = b.agg(functions.min("day")).first().get(0);
            Dataset<Row> a = spark.read().parquet(kept.toString()).where(functions.col("day").geq(functions.lit(firstDay)));
            rows = b.count();
            differing = a.exceptAll(b).count() + b.exceptAll(a).count();
        }
        List<BenchResult> results = new ArrayList<>();
        results.add(new BenchResult("aggregates: full rebuild of the window (baseline)", full, 1.0, "every partial and as-of day"));
        results.add(new BenchResult("aggregates: nightly update, one new day", nightly, nightly / full,
                differing == 0 ? "identical to the full rebuild (" + String.format("%,d", rows) + " rows)"
                        : differing + " rows differ from the full rebuild"));
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("logical_date", DATE.toString());
        environment.put("spec", pipelineSpec.toString());
        environment.put("cores", Runtime.getRuntime().availableProcessors());
        environment.put("spark_master", spark.sparkContext().master());
        environment.put("repeat", repeat);
        environment.put("asof_rows", rows);
        environment.put("rows_differing", differing);
        return new BenchReport("features", "nightly update at most 0.30x the full rebuild, identical results", environment, results);
    }

    private double aggregates(PipelineRunner runner, Pipeline pipeline, LocalDate date) {
        long t0 = System.nanoTime();
        runner.run(pipeline, date, new RunOptions(false, STEP, STEP));
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Every published day of the aggregates, as the pipeline's next step would read them. */
    private Dataset<Row> published(Pipeline pipeline) {
        PartitionedDataset aggregates = new Catalog(spark, pipeline.spec(), work, work.resolve("reader"), "bench").partitioned(OUTPUTS.get(1));
        return aggregates.read(aggregates.markers().keySet());
    }

    private static void clear(Path data) throws IOException {
        for (String o : OUTPUTS) AtomicFiles.deleteRecursively(data.resolve(o));
    }
}
