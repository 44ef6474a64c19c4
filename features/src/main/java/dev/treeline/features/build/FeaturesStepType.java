package dev.treeline.features.build;

import dev.treeline.features.aggregate.AggregatesStepType;
import dev.treeline.features.spec.AsOfJoin;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypeNames;
import java.util.List;
import java.util.Map;

public final class FeaturesStepType implements StepType {
    @Override
    public String name() {
        return StepTypeNames.FEATURES;
    }

    @Override
    public String summary() {
        return "attach point-in-time aggregates, label rows, split the window by day, fit and apply the feature pipeline";
    }

    @Override
    public Step create(StepSpec spec, PipelineSpec pipeline) {
        List<String> inputs = spec.inputs();
        if (inputs.isEmpty() || spec.outputs().size() != 2) {
            spec.expectDatasets(List.of("validated rows (partitioned by day)"), List.of("feature rows", "fitted feature pipeline"));
        }
        DatasetSpec in = pipeline.dataset(inputs.get(0));
        if (in == null || !in.isPartitioned()) {
            throw spec.node().error("input '" + inputs.get(0) + "' of step '" + spec.name() + "' must be a dataset partitioned by day");
        }
        FeatureSpec.Source source = FeatureSpec.fromStepParams(spec.paramsOrEmpty(), pipeline.file());
        FeatureSpec features = source.spec();
        int expected = 1 + (features.aggregates().isEmpty() ? 0 : 1);
        if (!features.aggregates().isEmpty()) {
            if (inputs.size() < 2 || pipeline.dataset(inputs.get(1)) == null || !pipeline.dataset(inputs.get(1)).isPartitioned()) {
                throw spec.node().error("step '" + spec.name() + "' has aggregates: its second input must be the as-of output of an aggregates step");
            }
        }
        for (AsOfJoin j : features.joins()) {
            if (!inputs.subList(expected, inputs.size()).contains(j.dataset())) {
                throw spec.node().error("join '" + j.name() + "' reads dataset '" + j.dataset() + "'; list it in inputs: of step '" + spec.name() + "'");
            }
        }
        if (pipeline.splitsRows()) {
            if (!features.aggregates().isEmpty()) {
                throw spec.node().error("step '" + spec.name() + "': aggregates accumulate over days, but split: reads one snapshot of the table; "
                        + "use window: (a time-based split) or drop the aggregates");
            }
            String holdout = pipeline.split().holdoutDataset();
            if (holdout != null && !inputs.subList(1, inputs.size()).contains(holdout)) {
                throw spec.node().error("split: takes the holdout from dataset '" + holdout + "'; add it to the inputs of step '" + spec.name()
                        + "': [" + String.join(", ", inputs) + ", " + holdout + "]");
            }
        }
        // Checked against the input's declared columns; when the spec does not tell them, what needs no schema now and the rest before the step reads data.
        features.check(inputs.get(0), AggregatesStepType.kinds(pipeline.knownColumns(inputs.get(0))), Map.of());
        return new FeaturesStep(features, source.text(), pipeline.split());
    }

    @Override
    public String outputFormat(int index) {
        return index == 1 ? "directory" : "parquet";
    }
}
