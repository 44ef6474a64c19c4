package dev.treeline.pipelines.step;

import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;

/**
 * The SPI: a kind of step a spec can name in {@code type:}. Implementations are listed in
 * {@code META-INF/services/dev.treeline.pipelines.step.StepType} and found with ServiceLoader.
 */
public interface StepType {
    /** The name specs use, e.g. {@code ingest}. */
    String name();

    /** One line for {@code treeline steps}. */
    String summary();

    /**
     * Validates the step's params and datasets and returns the runnable step.
     * Throws {@link dev.treeline.pipelines.spec.SpecException} naming file, line and key.
     */
    Step create(StepSpec spec, PipelineSpec pipeline);

    /** Format of the step's {@code index}-th output: parquet, json or directory. */
    default String outputFormat(int index) {
        return "parquet";
    }
}
