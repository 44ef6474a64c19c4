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
        TrainParams params = TrainParams.from(spec.paramsOrEmpty());
        if (params.device().equals("cuda")) {
            // The spec's master; a --master override is checked again when the step runs.
            List<String> problems = GpuSupport.system().problems(pipeline.spark().master(), pipeline.spark().conf());
            if (!problems.isEmpty()) throw spec.paramsOrEmpty().require("device").error(problems.get(0));
        }
        return new TrainStep(params);
    }

    @Override
    public String outputFormat(int index) {
        return "directory";
    }
}
