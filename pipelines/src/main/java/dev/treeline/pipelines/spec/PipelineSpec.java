package dev.treeline.pipelines.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A validated pipeline spec. Build it with {@link SpecLoader}. */
public record PipelineSpec(
        String name,
        String description,
        String modelName,
        SparkSpec spark,
        WindowSpec window,
        Map<String, DatasetSpec> datasets,
        List<StepSpec> steps,
        Path file,
        String specHash) {

    public DatasetSpec dataset(String name) {
        return datasets.get(name);
    }

    public StepSpec step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }
}
