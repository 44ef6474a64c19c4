package dev.treeline.training.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;

/**
 * Reads the feature rows in as many partitions as there are XGBoost workers, so that XGBoost4J-Spark,
 * which repartitions (a full shuffle) any input whose partition count differs from num_workers, takes
 * the scan as it is. Spark packs the snapshot's files into read partitions of (total size / workers)
 * bytes when file open costs are zero and the partition size cap is lifted; the settings hold while
 * the step's jobs are planned and are restored on close. With one worker the count is exact; with more
 * it can come out one higher, and XGBoost's own repartition then applies.
 */
final class WorkerPartitions implements AutoCloseable {
    private static final String MAX_BYTES = "spark.sql.files.maxPartitionBytes";
    private static final String OPEN_COST = "spark.sql.files.openCostInBytes";
    private static final String MIN_PARTITIONS = "spark.sql.files.minPartitionNum";

    private final RuntimeConfig conf;
    private final Map<String, String> previous = new LinkedHashMap<>();

    WorkerPartitions(SparkSession spark, int workers) {
        this.conf = spark.conf();
        set(MAX_BYTES, Long.toString(Long.MAX_VALUE));
        set(OPEN_COST, "0");
        set(MIN_PARTITIONS, Integer.toString(workers));
    }

    private void set(String key, String value) {
        previous.put(key, conf.getOption(key).isDefined() ? conf.get(key) : null);
        conf.set(key, value);
    }

    @Override
    public void close() {
        previous.forEach((k, v) -> {
            if (v == null) conf.unset(k);
            else conf.set(k, v);
        });
    }
}
