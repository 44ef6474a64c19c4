package dev.treeline.pipelines.step;

import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import java.util.List;

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

    /**
     * Outputs the step writes beyond those its spec lists (a report, a study), by role. Each becomes the run's
     * dataset {@link StepSpec#implicitOutput named} {@code <step>.<role>}, appended to the step's outputs, so the
     * step writes it through the catalog and commands read it as a dataset. A spec may list it instead, to
     * name it or give it a path. Default none.
     */
    default List<String> implicitOutputs(StepSpec spec) {
        return List.of();
    }

    /** Format of the step's {@code index}-th output: parquet, json or directory. */
    default String outputFormat(int index) {
        return "parquet";
    }
}
