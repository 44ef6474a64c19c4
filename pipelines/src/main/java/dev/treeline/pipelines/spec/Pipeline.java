package dev.treeline.pipelines.spec;

import dev.treeline.pipelines.step.Step;
import java.util.List;

/** A validated spec with its steps instantiated through the SPI, in execution order. */
public record Pipeline(PipelineSpec spec, List<Step> steps) {
    public Step step(String name) {
        for (int i = 0; i < spec.steps().size(); i++) {
            if (spec.steps().get(i).name().equals(name)) return steps.get(i);
        }
        return null;
    }
}
