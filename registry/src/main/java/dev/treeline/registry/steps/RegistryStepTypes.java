package dev.treeline.registry.steps;

import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypeNames;
import dev.treeline.registry.review.Approval;
import dev.treeline.registry.review.GateRules;
import java.util.List;

/** The registry module's step types: register, promote and push. */
public final class RegistryStepTypes {
    private RegistryStepTypes() {}

    public static final class Register implements StepType {
        public String name() {
            return StepTypeNames.REGISTER;
        }

        public String summary() {
            return "log the model bundle to MLflow, register a version with lineage tags, alias it challenger";
        }

        public Step create(StepSpec spec, PipelineSpec pipeline) {
            spec.expectDatasets(List.of("model bundle", "evaluation"), List.of("model version"));
            spec.paramsOrEmpty().allowOnly();
            return new RegisterStep();
        }

        public String outputFormat(int index) {
            return "json";
        }
    }

    public static final class Promote implements StepType {
        public String name() {
            return StepTypeNames.PROMOTE;
        }

        public String summary() {
            return "gate the candidate against the champion on the same holdout, then approve and promote it by policy";
        }

        public Step create(StepSpec spec, PipelineSpec pipeline) {
            spec.expectDatasets(List.of("evaluation", "model version"), List.of("promotion"));
            SpecNode p = spec.paramsOrEmpty().allowOnly("metric", "min_improvement", "significance", "guards", "slice_guard", "approval");
            // metric unset: the evaluation's headline metric (AUC, RMSE or multiclass log loss, by the model's task).
            String approval = p.has("approval") ? p.require("approval").asEnum(Approval.POLICIES) : Approval.MANUAL;
            return new PromoteStep(GateRules.parse(p), approval, ServingTarget.of(pipeline));
        }

        public String outputFormat(int index) {
            return "json";
        }
    }

    public static final class Push implements StepType {
        public String name() {
            return StepTypeNames.PUSH;
        }

        public String summary() {
            return "publish gate-passing versions to S3 under immutable version prefixes, then point champion.json at the champion";
        }

        public Step create(StepSpec spec, PipelineSpec pipeline) {
            spec.expectDatasets(List.of("promotion"), List.of("publication"));
            return new PushStep(ServingTarget.parse(spec.paramsOrEmpty().allowOnly("bucket", "prefix")));
        }

        public String outputFormat(int index) {
            return "json";
        }
    }
}
