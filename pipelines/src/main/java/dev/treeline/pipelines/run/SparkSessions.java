package dev.treeline.pipelines.run;

import dev.treeline.pipelines.spec.SparkSpec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Creates the one Spark session a process runs pipelines in, with Treeline's defaults. */
public final class SparkSessions {
    private SparkSessions() {}

    /** Treeline's and XGBoost's jars from the runnable distribution's lib/ directory, comma-separated. */
    static String executorJars() {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            Path lib = p.getParent() == null ? null : p.getParent().resolve("lib");
            if (lib == null || !Files.isDirectory(lib)) continue;
            try (var files = Files.list(lib)) {
                files.map(f -> f.getFileName().toString())
                        .filter(n -> n.startsWith("treeline-") || n.startsWith("xgboost4j") || n.startsWith("snakeyaml"))
                        .sorted()
                        .forEach(n -> out.add(lib.resolve(n).toUri().toString()));
            } catch (IOException e) {
                // no distribution layout: the caller sets spark.jars itself
            }
        }
        return String.join(",", out);
    }

    public static SparkSession getOrCreate(SparkSpec spec, String masterOverride, boolean showProgress) {
        String master = masterOverride != null ? masterOverride : spec.master();
        SparkConf conf = new SparkConf()
                .setMaster(master)
                // Flights timestamps have no zone; results must not depend on the machine's zone.
                .set("spark.sql.session.timeZone", "UTC")
                .set("spark.sql.shuffle.partitions", master.startsWith("local") ? "8" : "200")
                .set("spark.ui.showConsoleProgress", Boolean.toString(showProgress))
                .set("spark.sql.parquet.compression.codec", "snappy")
                // Unparseable dates are null (and quarantined with a reason), not an exception.
                .set("spark.sql.legacy.timeParserPolicy", "CORRECTED")
                // Day partitions are many small directories: list them on the driver, not with a Spark job.
                .set("spark.sql.sources.parallelPartitionDiscovery.threshold", "4096")
                // A CSV record is malformed or not whatever columns a query reads: with pruning, a pass that reads only
                // the reason would parse fewer columns and miss the rejects the writing pass saw.
                .set("spark.sql.csv.parser.columnPruning.enabled", "false")
                // Partition files are published by rename; skip Hadoop's _SUCCESS files.
                .set("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
        // spark-submit names the application (treeline <pipeline> <date>); keep that name.
        if (!conf.contains("spark.app.name")) conf.setAppName("treeline");
        if (System.getProperty("spark.ui.enabled") != null) conf.set("spark.ui.enabled", System.getProperty("spark.ui.enabled"));
        for (Map.Entry<String, String> e : spec.conf().entrySet()) conf.set(e.getKey(), e.getValue());
        if (!master.startsWith("local") && !conf.contains("spark.jars")) {
            // Executors on a cluster need Treeline's step code and XGBoost; Spark's own jars are there already.
            String jars = executorJars();
            if (!jars.isEmpty()) conf.set("spark.jars", jars);
        }
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        session.sparkContext().setLogLevel("WARN");
        if ("1".equals(System.getenv("TREELINE_SPARK_JOBS"))) session.sparkContext().addSparkListener(new JobTimings());
        return session;
    }
}
