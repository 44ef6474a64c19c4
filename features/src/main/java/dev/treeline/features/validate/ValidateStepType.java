package dev.treeline.features.validate;

import dev.treeline.pipelines.spec.ColumnType;
import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypeNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class ValidateStepType implements StepType {
    /** The role of the third output, the validation report (a directory: report.json and report.html). */
    public static final String REPORT = "report";

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
        spec.expectDatasets(List.of("curated rows"), List.of("accepted rows", "rejected rows", "validation report"));
        for (String ds : List.of(spec.inputs().get(0), spec.outputs().get(0), spec.outputs().get(1))) {
            DatasetSpec d = pipeline.dataset(ds);
            if (d == null || !d.isPartitioned()) {
                throw spec.node().error("dataset '" + ds + "' of step '" + spec.name() + "' must be declared under datasets: with partitioned_by");
            }
        }
        SpecNode params = spec.paramsOrEmpty().allowOnly("contract");
        Contract contract = Contract.from(params.require("contract"), pipeline.file());
        // Accepted rows keep the input's columns; without a declared input schema the contract's columns are known.
        Map<String, ColumnType> known = pipeline.knownColumns(spec.inputs().get(0));
        if (known == null) {
            known = new LinkedHashMap<>();
            for (ColumnContract c : contract.columns().values()) known.put(c.name(), c.type());
            known.put(pipeline.dataset(spec.outputs().get(0)).partitionedBy(), ColumnType.DATE);
        }
        pipeline.declareColumns(spec.outputs().get(0), known);
        return new ValidateStep(contract);
    }

    /** The report, when the spec lists only the accepted and rejected rows. */
    @Override
    public List<String> implicitOutputs(StepSpec spec) {
        return spec.outputs().size() == 2 ? List.of(REPORT) : List.of();
    }

    @Override
    public String outputFormat(int index) {
        return index == 2 ? "directory" : "parquet";
    }
}
