package dev.treeline.pipelines.catalog;

import dev.treeline.pipelines.env.S3Settings;
import org.apache.hadoop.conf.Configuration;

/** Points Hadoop's s3a:// file system at the configured S3 (AWS, or any S3 API such as the local stack's). */
public final class S3aSettings {
    private S3aSettings() {}

    public static void apply(Configuration conf, S3Settings s3) {
        if (s3 == null) return;
        if (s3.endpoint() != null) {
            conf.set("fs.s3a.endpoint", s3.endpoint());
            conf.setBoolean("fs.s3a.path.style.access", true);
            conf.setBoolean("fs.s3a.connection.ssl.enabled", s3.endpoint().startsWith("https"));
        }
        if (s3.region() != null) conf.set("fs.s3a.endpoint.region", s3.region());
        if (s3.hasStaticCredentials()) {
            conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
            conf.set("fs.s3a.access.key", s3.accessKeyId());
            conf.set("fs.s3a.secret.key", s3.secretAccessKey());
        }
        // The same server-side encryption as every other object Treeline writes (S3Publisher): the stack's bucket policy
        // refuses a PutObject without its KMS key, and s3a writes the datasets.
        if (S3Settings.SSE_KMS.equals(s3.sse())) {
            conf.set("fs.s3a.encryption.algorithm", "SSE-KMS");
            if (s3.sseKmsKeyId() != null) conf.set("fs.s3a.encryption.key", s3.sseKmsKeyId());
        } else if (S3Settings.SSE_S3.equals(s3.sse())) {
            conf.set("fs.s3a.encryption.algorithm", "SSE-S3");
        }
        // Fail in seconds, not minutes, when the store is unreachable.
        conf.setInt("fs.s3a.attempts.maximum", 3);
        conf.set("fs.s3a.connection.establish.timeout", "5000");
        conf.set("fs.s3a.retry.limit", "3");
    }
}
