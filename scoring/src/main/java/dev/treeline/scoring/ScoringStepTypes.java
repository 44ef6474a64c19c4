package dev.treeline.scoring;

import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypeNames;
import java.util.List;

/** The scoring module's step types: score and monitor. */
public final class ScoringStepTypes {
    private ScoringStepTypes() {}

    public static final class Score implements StepType {
        public String name() {
            return StepTypeNames.SCORE;
        }

        public String summary() {
            return "score the date's rows with the model serving loads from S3 (champion.json, or routing.json during an A/B test)";
        }

        public Step create(StepSpec spec, PipelineSpec pipeline) {
            // Further inputs are the datasets the served model looks features up in (as-of aggregates, join datasets).
            if (spec.inputs().isEmpty() || spec.outputs().size() != 2) {
                spec.expectDatasets(List.of("rows to score (partitioned by day)"), List.of("scores (partitioned by day)", "rejects (partitioned by day)"));
            }
            return new ScoreStep(ScoreParams.parse(spec.paramsOrEmpty()));
        }
    }

    public static final class Monitor implements StepType {
        public String name() {
            return StepTypeNames.MONITOR;
        }

        public String summary() {
            return "join scored days with their labels; realised metrics, drift and decay rules for the served model";
        }

        public Step create(StepSpec spec, PipelineSpec pipeline) {
            if (spec.inputs().size() < 2 || spec.outputs().size() != 1) {
                spec.expectDatasets(List.of("scores (partitioned by day)", "labelled rows (partitioned by day)"), List.of("monitoring (partitioned by day)"));
            }
            return new MonitorStep(MonitorParams.parse(spec.paramsOrEmpty()));
        }
    }
}
