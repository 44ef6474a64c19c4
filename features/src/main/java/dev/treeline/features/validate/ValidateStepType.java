package dev.treeline.features.validate;

import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypeNames;
import java.util.List;

public final class ValidateStepType implements StepType {
    @Override
    public String name() {
        return StepTypeNames.VALIDATE;
    }

    @Override
    public String summary() {
        return "hold day partitions to a data contract: reject bad rows with reasons, check day rules and drift, report";
    }

    @Override
    public Step create(StepSpec spec, PipelineSpec pipeline) {
        if (spec.outputs().size() == 3) {
            spec.expectDatasets(List.of("curated rows"), List.of("accepted rows", "rejected rows", "validation report"));
        } else {
            spec.expectDatasets(List.of("curated rows"), List.of("accepted rows", "rejected rows"));
        }
        for (String ds : List.of(spec.inputs().get(0), spec.outputs().get(0), spec.outputs().get(1))) {
            DatasetSpec d = pipeline.dataset(ds);
            if (d == null || !d.isPartitioned()) {
                throw spec.node().error("dataset '" + ds + "' of step '" + spec.name() + "' must be declared under datasets: with partitioned_by");
            }
        }
        SpecNode params = spec.paramsOrEmpty().allowOnly("contract");
        Contract contract = Contract.from(params.require("contract"), pipeline.file());
        // Accepted rows keep the input's columns; without a declared input schema the contract's columns are known.
        java.util.Map<String, dev.treeline.pipelines.spec.ColumnType> known = pipeline.knownColumns(spec.inputs().get(0));
        if (known == null) {
            known = new java.util.LinkedHashMap<>();
            for (ColumnContract c : contract.columns().values()) known.put(c.name(), c.type());
            known.put(pipeline.dataset(spec.outputs().get(0)).partitionedBy(), dev.treeline.pipelines.spec.ColumnType.DATE);
        }
        pipeline.declareColumns(spec.outputs().get(0), known);
        return new ValidateStep(contract);
    }

    @Override
    public String outputFormat(int index) {
        return index == 2 ? "directory" : "parquet";
    }
}
