package dev.treeline.registry.steps;

import dev.treeline.pipelines.env.S3Settings;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.StepTypeNames;
import dev.treeline.registry.s3.S3Publisher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where serving reads a pipeline's models: the push step's {@code bucket} and {@code prefix}, parsed once
 * when the spec loads, for the push step that publishes there and the promote step that moves the pointer.
 */
public record ServingTarget(String bucket, String prefix) {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    /** The push step's params, checked (file and line on errors). */
    static ServingTarget parse(SpecNode params) {
        String bucket = params.requiredString("bucket");
        if (!BUCKET.matcher(bucket).matches()) {
            throw params.require("bucket").error("'" + bucket + "' is not a valid S3 bucket name (3-63 lower case letters, digits, '.', '-')");
        }
        return new ServingTarget(bucket, params.string("prefix", ""));
    }

    /** The pipeline's serving target: its push step's; null when the pipeline does not publish. */
    public static ServingTarget of(PipelineSpec pipeline) {
        for (StepSpec s : pipeline.steps()) {
            if (StepTypeNames.PUSH.equals(s.type())) return parse(s.paramsOrEmpty());
        }
        return null;
    }

    public S3Publisher publisher(S3Client s3, S3Settings settings) {
        return new S3Publisher(s3, bucket, prefix, settings);
    }
}
