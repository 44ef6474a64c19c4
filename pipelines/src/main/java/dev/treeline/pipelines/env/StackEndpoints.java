package dev.treeline.pipelines.env;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the local stack publishes in {@code <workspace>/stack/endpoints.json} while it runs, so commands
 * find MLflow and S3 without configuration. The secret lives in a separate 0600 file, never here.
 */
public record StackEndpoints(
        @JsonProperty("mlflow_url") String mlflowUrl,
        @JsonProperty("s3_endpoint") String s3Endpoint,
        @JsonProperty("s3_region") String s3Region,
        @JsonProperty("s3_credentials_file") String s3CredentialsFile) {

    public static final String FILE = "stack/endpoints.json";
}
