package dev.treeline.pipelines.run;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;

/** With TREELINE_SPARK_JOBS=1, prints each Spark job's duration and call site to stderr: where the time goes. */
final class JobTimings extends SparkListener {
    private final Map<Integer, long[]> started = new ConcurrentHashMap<>();
    private final Map<Integer, String> sites = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        started.put(start.jobId(), new long[] {start.time()});
        String site = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
        sites.put(start.jobId(), site == null ? "?" : site);
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
        long[] t = started.remove(end.jobId());
        String site = sites.remove(end.jobId());
        if (t != null) System.err.printf("  spark job %d: %.2f s  %s%n", end.jobId(), (end.time() - t[0]) / 1000.0, site);
    }
}
