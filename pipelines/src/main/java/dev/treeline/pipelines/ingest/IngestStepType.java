package dev.treeline.pipelines.ingest;

import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import java.util.List;

public final class IngestStepType implements StepType {
    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public String summary() {
        return "copy source rows up to the logical date into a dataset partitioned by day";
    }

    @Override
    public Step create(StepSpec spec, PipelineSpec pipeline) {
        spec.expectDatasets(List.of("source"), List.of("curated (partitioned by day)"));
        DatasetSpec out = pipeline.dataset(spec.outputs().get(0));
        if (out == null || !out.isPartitioned()) {
            throw spec.node().error("output '" + spec.outputs().get(0) + "' of step '" + spec.name()
                    + "' must be declared under datasets: with partitioned_by: day");
        }
        return new IngestStep(IngestParams.from(spec.paramsOrEmpty()));
    }
}
