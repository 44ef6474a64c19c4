package dev.treeline.pipelines.ingest;

import dev.treeline.pipelines.ingest.sources.CsvOptions;
import dev.treeline.pipelines.ingest.sources.JdbcOptions;
import dev.treeline.pipelines.ingest.sources.PathTemplate;
import dev.treeline.pipelines.spec.ColumnType;
import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.SpecException;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypeNames;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class IngestStepType implements StepType {
    @Override
    public String name() {
        return StepTypeNames.INGEST;
    }

    @Override
    public String summary() {
        return "read a source (files, s3a://, JDBC) into a dataset partitioned by day; quarantine unreadable rows";
    }

    @Override
    public Step create(StepSpec spec, PipelineSpec pipeline) {
        if (spec.outputs().size() == 2) {
            spec.expectDatasets(List.of("source"), List.of("curated (partitioned by day)", "quarantine (partitioned by day)"));
        } else {
            spec.expectDatasets(List.of("source"), List.of("curated (partitioned by day)"));
        }
        for (String out : spec.outputs()) {
            DatasetSpec ds = pipeline.dataset(out);
            if (ds == null || !ds.isPartitioned()) {
                throw spec.node().error("output '" + out + "' of step '" + spec.name() + "' must be declared under datasets: with partitioned_by: day");
            }
        }
        DatasetSpec source = pipeline.dataset(spec.inputs().get(0));
        if (source != null) checkSource(source);
        IngestParams params = IngestParams.from(spec.paramsOrEmpty());
        Map<String, ColumnType> in = pipeline.knownColumns(spec.inputs().get(0));
        if (in != null) {
            Map<String, ColumnType> out = new LinkedHashMap<>(in);
            DatasetSpec curated = pipeline.dataset(spec.outputs().get(0));
            out.put(curated.partitionedBy(), ColumnType.DATE);
            pipeline.declareColumns(curated.name(), out);
        }
        return new IngestStep(params);
    }

    /** Source options are checked when the spec loads, not when the step runs. */
    static void checkSource(DatasetSpec source) {
        switch (source.format()) {
            case "csv" -> CsvOptions.from(source.options());
            case "jdbc" -> {
                try {
                    JdbcOptions.from(source.options(), source.name());
                } catch (IllegalArgumentException e) {
                    throw new SpecException(e.getMessage());
                }
            }
            default -> {
                if (source.options() != null) source.options().allowOnly();
            }
        }
        if (source.path() != null && PathTemplate.isTemplate(source.path())) {
            try {
                PathTemplate.expand(source.path(), LocalDate.of(2001, 1, 1));
            } catch (IllegalArgumentException e) {
                throw new SpecException("datasets." + source.name() + ".path: " + e.getMessage());
            }
        }
    }
}
