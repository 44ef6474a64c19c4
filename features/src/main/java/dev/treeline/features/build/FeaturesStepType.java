package dev.treeline.features.build;

import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import java.util.List;

public final class FeaturesStepType implements StepType {
    @Override
    public String name() {
        return "features";
    }

    @Override
    public String summary() {
        return "label rows, split the window by day, fit and apply the feature pipeline";
    }

    @Override
    public Step create(StepSpec spec, PipelineSpec pipeline) {
        spec.expectDatasets(List.of("validated rows (partitioned by day)"), List.of("feature rows", "fitted feature pipeline"));
        DatasetSpec in = pipeline.dataset(spec.inputs().get(0));
        if (in == null || !in.isPartitioned()) {
            throw spec.node().error("input '" + spec.inputs().get(0) + "' of step '" + spec.name() + "' must be a dataset partitioned by day");
        }
        return new FeaturesStep(FeatureParams.from(spec.paramsOrEmpty()));
    }

    @Override
    public String outputFormat(int index) {
        return index == 1 ? "directory" : "parquet";
    }
}
