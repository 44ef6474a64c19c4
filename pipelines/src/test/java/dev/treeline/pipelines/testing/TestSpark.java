package dev.treeline.pipelines.testing;

import dev.treeline.pipelines.run.SparkSessions;
import dev.treeline.pipelines.spec.SparkSpec;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** One small local Spark session per test JVM. */
public final class TestSpark {
    private TestSpark() {}

    public static synchronized SparkSession session() {
        return SparkSessions.getOrCreate(new SparkSpec("local[2]", Map.of(
                "spark.ui.enabled", "false",
                "spark.sql.shuffle.partitions", "4",
                "spark.sql.codegen.wholeStage", "false",
                "spark.sql.codegen.factoryMode", "NO_CODEGEN",
                "spark.driver.host", "127.0.0.1",
                "spark.driver.bindAddress", "127.0.0.1")), null, false);
    }
}
