package dev.treeline.training.train;

import dev.treeline.features.spec.FeatureColumn;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.pipelines.format.Task;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypeNames;
import java.util.List;

public final class TrainStepType implements StepType {
    /** The step fact naming the tuning study's file (written when the step tunes), read by {@code treeline tune}. */
    public static final String TRIALS_FACT = "tuning_trials";

    @Override
    public String name() {
        return StepTypeNames.TRAIN;
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
        // Rules that span this step's params and its inputs, checked here so a bad spec stops before any step runs.
        SpecNode p = spec.paramsOrEmpty();
        if (params.tune() != null && params.earlyStoppingRounds() == 0) {
            throw p.require("tune").error("tune: scores trials on the validation rows, which early_stopping_rounds: 0 turns off; "
                    + "set early_stopping_rounds (e.g. 50)");
        }
        FeatureSpec features = spec.inputs().size() > 1 ? FeatureSpec.ofProducer(pipeline, spec.inputs().get(1)) : null;
        if (params.task() == Task.MULTICLASS && features != null && features.features().stream().anyMatch(f -> f.encode() == FeatureColumn.Encoding.target)) {
            throw (p.has("objective") ? p.require("objective") : spec.node()).error(TrainStep.MULTICLASS_TARGET_ENCODING);
        }
        return new TrainStep(params);
    }

    @Override
    public String outputFormat(int index) {
        return "directory";
    }
}
