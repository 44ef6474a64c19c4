package dev.treeline.features.aggregate;

import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.features.spec.Kind;
import dev.treeline.pipelines.spec.ColumnType;
import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypeNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class AggregatesStepType implements StepType {
    @Override
    public String name() {
        return StepTypeNames.AGGREGATES;
    }

    @Override
    public String summary() {
        return "point-in-time aggregates per entity key over day windows, maintained incrementally (one new day per night)";
    }

    @Override
    public Step create(StepSpec spec, PipelineSpec pipeline) {
        spec.expectDatasets(List.of("rows (partitioned by day)"), List.of("partials (partitioned by day)", "as-of values (partitioned by day)"));
        for (String ds : List.of(spec.inputs().get(0), spec.outputs().get(0), spec.outputs().get(1))) {
            DatasetSpec d = pipeline.dataset(ds);
            if (d == null || !d.isPartitioned()) {
                throw spec.node().error("dataset '" + ds + "' of step '" + spec.name() + "' must be declared under datasets: with partitioned_by");
            }
        }
        FeatureSpec features = FeatureSpec.fromStepParams(spec.paramsOrEmpty(), pipeline.file()).spec();
        if (features.aggregates().isEmpty()) throw features.root().error("no aggregates: to compute; add aggregates: or remove step '" + spec.name() + "'");
        features.check(spec.inputs().get(0), kinds(pipeline.knownColumns(spec.inputs().get(0))), Map.of());
        return new AggregatesStep(features);
    }

    /** Column kinds from declared types; null stays null (columns unknown until the data is read). */
    public static Map<String, Kind> kinds(Map<String, ColumnType> columns) {
        if (columns == null) return null;
        Map<String, Kind> out = new LinkedHashMap<>();
        columns.forEach((c, t) -> out.put(c, Kind.of(t)));
        return out;
    }
}
