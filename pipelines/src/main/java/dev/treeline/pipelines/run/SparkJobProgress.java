package dev.treeline.pipelines.run;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.collection.JavaConverters;

/**
 * The running step's Spark work on its status line: tasks done of those submitted, and rows read so
 * far. Spark calls it on its listener thread; the runner says which step is running.
 */
final class SparkJobProgress extends SparkListener {
    private final Progress progress;
    private String key;
    private String label;
    private final Set<Integer> activeJobs = new HashSet<>();
    private final Map<Integer, Integer> stageJob = new HashMap<>();
    private long tasks;
    private long done;
    private long rowsRead;

    SparkJobProgress(Progress progress) {
        this.progress = progress;
    }

    /** The step now running ({@code key} of its status, {@code label} to show); null when none runs. */
    synchronized void step(String key, String label) {
        this.key = key;
        this.label = label;
        tasks = 0;
        done = 0;
        rowsRead = 0;
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart e) {
        activeJobs.add(e.jobId());
        for (Object id : JavaConverters.seqAsJavaList(e.stageIds())) stageJob.put((Integer) id, e.jobId());
    }

    @Override
    public synchronized void onStageSubmitted(SparkListenerStageSubmitted e) {
        if (activeJobs.contains(stageJob.get(e.stageInfo().stageId()))) {
            tasks += e.stageInfo().numTasks();
            report();
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
        if (!activeJobs.contains(stageJob.get(e.stageId()))) return;
        done++;
        if (e.taskMetrics() != null) rowsRead += e.taskMetrics().inputMetrics().recordsRead();
        report();
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd e) {
        activeJobs.remove(e.jobId());
        stageJob.values().removeIf(job -> job == e.jobId());
    }

    private void report() {
        if (key == null || tasks == 0) return;
        String text = label + ": " + done + "/" + tasks + " Spark tasks" + (rowsRead > 0 ? String.format(" · %,d rows read", rowsRead) : "");
        progress.status(key, text, Math.min(1.0, (double) done / tasks));
    }
}
