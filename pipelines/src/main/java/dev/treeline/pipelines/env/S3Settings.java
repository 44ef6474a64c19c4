package dev.treeline.pipelines.env;

/**
 * Where S3 is. {@code endpoint} null means AWS itself; credentials null means the AWS default chain
 * (environment, profile, instance role). toString never shows the secret.
 */
public record S3Settings(String endpoint, String region, String accessKeyId, String secretAccessKey, String sseKmsKeyId) {

    public boolean hasStaticCredentials() {
        return accessKeyId != null && secretAccessKey != null;
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + (endpoint == null ? "aws" : endpoint) + ", region=" + region
                + ", credentials=" + (hasStaticCredentials() ? "static key " + accessKeyId : "default chain") + "]";
    }
}
