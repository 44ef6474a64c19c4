package dev.treeline.pipelines.spec;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A validated pipeline spec. Build it with {@link SpecLoader}. */
public record PipelineSpec(
        String name,
        String description,
        String modelName,
        SparkSpec spark,
        WindowSpec window,
        SplitSpec split,
        Map<String, DatasetSpec> datasets,
        List<StepSpec> steps,
        Path file,
        String specHash,
        Map<String, Map<String, ColumnType>> columns) {

    /**
     * Records the columns a step will write to {@code dataset}, as far as the spec tells (source schemas,
     * contracts). Step types call it from {@code create}, in step order, so later steps can check their
     * column references when the spec loads, before any data is read.
     */
    public void declareColumns(String dataset, Map<String, ColumnType> cols) {
        columns.put(dataset, Collections.unmodifiableMap(new LinkedHashMap<>(cols)));
    }

    /** The declared columns of a dataset, or null when the spec does not tell them. */
    public Map<String, ColumnType> knownColumns(String dataset) {
        return columns.get(dataset);
    }

    /** True when rows, not days, are split ({@code split:}): each run reads only its logical date's snapshot of the table. */
    public boolean splitsRows() {
        return split != null;
    }

    public DatasetSpec dataset(String name) {
        return datasets.get(name);
    }

    /** The step of type {@code type} that writes {@code dataset}, or null: how a step type finds what its inputs come from. */
    public StepSpec producer(String dataset, String type) {
        return steps.stream().filter(s -> s.type().equals(type) && s.outputs().contains(dataset)).findFirst().orElse(null);
    }

    public StepSpec step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }
}
