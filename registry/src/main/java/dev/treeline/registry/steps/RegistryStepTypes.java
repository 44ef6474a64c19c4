package dev.treeline.registry.steps;

import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import java.util.List;
import java.util.regex.Pattern;

/** The registry module's step types: register, promote and push. */
public final class RegistryStepTypes {
    private RegistryStepTypes() {}

    public static final class Register implements StepType {
        public String name() {
            return "register";
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
            return "promote";
        }

        public String summary() {
            return "move alias champion to the candidate when it beats the champion on the same holdout";
        }

        public Step create(StepSpec spec, PipelineSpec pipeline) {
            spec.expectDatasets(List.of("evaluation", "model version"), List.of("promotion"));
            SpecNode p = spec.paramsOrEmpty().allowOnly("metric", "min_improvement");
            // Unset: the evaluation's headline metric (AUC, RMSE or multiclass log loss, by the model's task).
            String metric = p.has("metric") ? p.require("metric").asEnum(List.of("auc", "pr_auc", "logloss", "brier", "f1", "rmse", "mae", "r2",
                    "mlogloss", "accuracy", "macro_f1")) : null;
            return new PromoteStep(metric, p.number("min_improvement", 0.0, 0.0, 1.0));
        }

        public String outputFormat(int index) {
            return "json";
        }
    }

    public static final class Push implements StepType {
        private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

        public String name() {
            return "push";
        }

        public String summary() {
            return "publish the champion to S3 under an immutable version prefix, then move champion.json";
        }

        public Step create(StepSpec spec, PipelineSpec pipeline) {
            spec.expectDatasets(List.of("promotion"), List.of("publication"));
            SpecNode p = spec.paramsOrEmpty().allowOnly("bucket", "prefix");
            String bucket = p.requiredString("bucket");
            if (!BUCKET.matcher(bucket).matches()) {
                throw p.require("bucket").error("'" + bucket + "' is not a valid S3 bucket name (3-63 lower case letters, digits, '.', '-')");
            }
            return new PushStep(bucket, p.string("prefix", ""));
        }

        public String outputFormat(int index) {
            return "json";
        }
    }
}
