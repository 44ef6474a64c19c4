package dev.treeline.pipelines.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.env.S3Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Datasets written through s3a carry the same server-side encryption as the objects the registry writes,
 * and the shipped AWS stack agrees: its bucket policy refuses a PutObject without the stack's KMS key, the
 * key is what the stack hands Treeline as TREELINE_S3_SSE_KMS_KEY_ID, and s3a sends exactly that key.
 */
class S3aEncryptionTest {
    static final String KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    static Configuration applied(S3Settings s3) {
        Configuration conf = new Configuration(false);
        S3aSettings.apply(conf, s3);
        return conf;
    }

    @Test
    void s3aEncryptsAsTheRegistryDoes() {
        Configuration kms = applied(new S3Settings(null, "eu-west-1", null, null, S3Settings.SSE_KMS, KEY));
        assertEquals("SSE-KMS", kms.get("fs.s3a.encryption.algorithm"));
        assertEquals(KEY, kms.get("fs.s3a.encryption.key"));
        assertEquals("SSE-S3", applied(new S3Settings(null, "eu-west-1", null, null, S3Settings.SSE_S3, null)).get("fs.s3a.encryption.algorithm"));
        assertNull(applied(new S3Settings("http://127.0.0.1:9000", "us-east-1", "k", "s", S3Settings.SSE_NONE, null)).get("fs.s3a.encryption.algorithm"),
                "the local stack's S3Proxy refuses encryption headers");
    }

    @Test
    void theShippedStacksBucketPolicyAsksForTheKeyTreelineIsGiven() throws Exception {
        Path tf = Path.of("..", "infra", "terraform").toAbsolutePath().normalize();
        String storage = Files.readString(tf.resolve("modules/storage/main.tf"));
        assertTrue(Pattern.compile("variable\\s*=\\s*\"s3:x-amz-server-side-encryption-aws-kms-key-id\"\\s*\\n\\s*values\\s*=\\s*\\[aws_kms_key\\.this\\.arn\\]")
                .matcher(storage).find(), "the policy requires the stack's key on every PutObject");
        assertTrue(Pattern.compile("output \"kms_key_arn\"[^}]*value\\s*=\\s*aws_kms_key\\.this\\.arn").matcher(
                Files.readString(tf.resolve("modules/storage/outputs.tf"))).find(), "the storage module outputs that key");
        assertTrue(Pattern.compile("TREELINE_S3_SSE_KMS_KEY_ID\\s*=\\s*module\\.storage\\.kms_key_arn").matcher(
                Files.readString(tf.resolve("examples/complete/main.tf"))).find(), "and the example gives it to Treeline");
        // With that environment, s3a sends the key the policy asks for.
        assertEquals(KEY, applied(new S3Settings(null, "eu-west-1", null, null, S3Settings.SSE_KMS, KEY)).get("fs.s3a.encryption.key"));
    }
}
