package dev.treeline.pipelines.step;

import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.tracking.ModelStore;
import dev.treeline.pipelines.tracking.Tracker;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;

/** Everything a running step may use. Steps get data only through {@link #catalog()}. */
public record StepContext(
        SparkSession spark,
        Catalog catalog,
        PipelineSpec pipeline,
        StepSpec step,
        LocalDate logicalDate,
        String runId,
        Tracker tracker,
        ModelStore models,
        Environment environment,
        Progress progress,
        Path scratchDir,
        StopSignal stop) {

    public DateWindow window() {
        return pipeline.window().at(logicalDate);
    }

    public String input(int i) {
        return step.inputs().get(i);
    }

    public String output(int i) {
        return step.outputs().get(i);
    }
}
