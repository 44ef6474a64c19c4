package dev.treeline.pipelines.env;

/**
 * Where S3 is. {@code endpoint} null means AWS itself; credentials null means the AWS default chain
 * (environment, profile, instance role). {@code sse}: server-side encryption of the objects Treeline
 * writes, {@link #SSE_S3}, {@link #SSE_KMS} (with {@code sseKmsKeyId}) or {@link #SSE_NONE} (the local
 * stack: S3Proxy refuses the header). toString never shows the secret.
 */
public record S3Settings(String endpoint, String region, String accessKeyId, String secretAccessKey, String sse, String sseKmsKeyId) {
    public static final String SSE_S3 = "AES256";
    public static final String SSE_KMS = "aws:kms";
    public static final String SSE_NONE = "none";

    public boolean hasStaticCredentials() {
        return accessKeyId != null && secretAccessKey != null;
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + (endpoint == null ? "aws" : endpoint) + ", region=" + region
                + ", sse=" + sse + ", credentials=" + (hasStaticCredentials() ? "static key " + accessKeyId : "default chain") + "]";
    }
}
