package dev.treeline.training.train;

import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import java.util.List;

public final class TrainStepType implements StepType {
    @Override
    public String name() {
        return "xgboost_train";
    }

    @Override
    public String summary() {
        return "train an XGBoost model on Spark with early stopping; write a model bundle";
    }

    @Override
    public Step create(StepSpec spec, PipelineSpec pipeline) {
        spec.expectDatasets(List.of("feature rows", "fitted feature pipeline"), List.of("model bundle"));
        return new TrainStep(TrainParams.from(spec.paramsOrEmpty()));
    }

    @Override
    public String outputFormat(int index) {
        return "directory";
    }
}
