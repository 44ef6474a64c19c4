package dev.treeline.training.evaluate;

import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import java.util.List;

public final class EvaluateStepType implements StepType {
    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "measure the candidate and the registered champion on the same holdout days";
    }

    @Override
    public Step create(StepSpec spec, PipelineSpec pipeline) {
        // Further inputs are the datasets the models look features up in (as-of aggregates, join datasets).
        if (spec.inputs().size() < 2 || spec.outputs().size() != 1) {
            spec.expectDatasets(List.of("validated rows (partitioned by day)", "model bundle"), List.of("evaluation"));
        }
        var p = spec.paramsOrEmpty().allowOnly("champion_alias", "slices", "plots", "seed");
        return new EvaluateStep(p.string("champion_alias", "champion"), p.has("slices") ? p.stringList("slices") : List.of(),
                p.bool("plots", true), p.integer("seed", 0, 0, Integer.MAX_VALUE));
    }

    @Override
    public String outputFormat(int index) {
        return "json";
    }
}
