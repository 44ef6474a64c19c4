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
    /** The role of the second output when the step tunes: the study (a {@link Tuner.Outcome}), read by {@code treeline tune}. */
    public static final String TUNING_STUDY = "tuning_study";

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
        TrainParams params = TrainParams.from(spec.paramsOrEmpty());
        spec.expectDatasets(List.of("feature rows", "fitted feature pipeline"),
                params.tune() != null ? List.of("model bundle", "tuning study") : List.of("model bundle"));
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
        if (params.task() == Task.REGRESSION && pipeline.splitsRows() && pipeline.split().stratified()) {
            throw (p.has("objective") ? p.require("objective") : spec.node()).error("split: stratified keeps each class's share in every part, "
                    + "which a regression label has no classes for; use split: {method: random}");
        }
        if (params.validationFraction() > 0 && pipeline.splitsRows()) {
            throw p.require("validation_fraction").error("split: already sets the validation rows (split.validation); remove validation_fraction");
        }
                FeatureSpec features = spec.inputs().size() > 1 ? FeatureSpec.ofProducer(pipeline, spec.inputs().get(1)) : null;
        if (params.task() == Task.MULTICLASS && features != null && features.features().stream().anyMatch(f -> f.encode() == FeatureColumn.Encoding.target)) {
            throw (p.has("objective") ? p.require("objective") : spec.node()).error(TrainStep.MULTICLASS_TARGET_ENCODING);
        }
        return new TrainStep(params, pipeline.splitsRows() ? pipeline.split().folds() : 0);
    }

    /** The tuning study, when the step tunes and the spec lists only the model bundle. */
    @Override
    public List<String> implicitOutputs(StepSpec spec) {
        return spec.outputs().size() == 1 && spec.paramsOrEmpty().has("tune") ? List.of(TUNING_STUDY) : List.of();
    }

    @Override
    public String outputFormat(int index) {
        return index == 1 ? "json" : "directory";
    }
}
