package dev.treeline.pipelines.run;

import dev.treeline.pipelines.spec.SparkSpec;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Creates the one Spark session a process runs pipelines in, with Treeline's defaults. */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession getOrCreate(SparkSpec spec, String masterOverride, boolean showProgress) {
        String master = masterOverride != null ? masterOverride : spec.master();
        SparkConf conf = new SparkConf()
                .setAppName("treeline")
                .setMaster(master)
                // Flights timestamps have no zone; results must not depend on the machine's zone.
                .set("spark.sql.session.timeZone", "UTC")
                .set("spark.sql.shuffle.partitions", master.startsWith("local") ? "8" : "200")
                .set("spark.ui.showConsoleProgress", Boolean.toString(showProgress))
                .set("spark.sql.parquet.compression.codec", "snappy")
                // Partition files are published by rename; skip Hadoop's _SUCCESS files.
                .set("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
        if (System.getProperty("spark.ui.enabled") != null) conf.set("spark.ui.enabled", System.getProperty("spark.ui.enabled"));
        for (Map.Entry<String, String> e : spec.conf().entrySet()) conf.set(e.getKey(), e.getValue());
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        session.sparkContext().setLogLevel("WARN");
        return session;
    }
}
