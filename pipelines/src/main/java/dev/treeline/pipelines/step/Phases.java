package dev.treeline.pipelines.step;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Times the phases of a step: each phase names the Spark jobs it starts (shown in the Spark UI) and its
 * seconds go into the step's numbers as {@code seconds_<phase>}, so run state shows where time went.
 */
public final class Phases {
    private final SparkSession spark;
    private final String step;
    private final Map<String, Double> seconds = new LinkedHashMap<>();

    public Phases(SparkSession spark, String step) {
        this.spark = spark;
        this.step = step;
    }

    public <T> T time(String phase, Supplier<T> work) {
        spark.sparkContext().setJobDescription(step + ": " + phase);
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            seconds.merge("seconds_" + phase, Math.round((System.nanoTime() - t0) / 1e7) / 100.0, Double::sum);
            spark.sparkContext().setJobDescription(null);
        }
    }

    public void run(String phase, Runnable work) {
        time(phase, () -> {
            work.run();
            return null;
        });
    }

    /** Adds the phase times to a step's numbers. */
    public Map<String, Number> into(Map<String, Number> numbers) {
        numbers.putAll(seconds);
        return numbers;
    }
}
