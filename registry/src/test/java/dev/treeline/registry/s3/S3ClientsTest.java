package dev.treeline.registry.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

class S3ClientsTest {
    @Test
    void noCredentialsIsOneLineWithTheFixesNotTheProviderChain() {
        SdkClientException chain = SdkClientException.create("Unable to load credentials from any of the providers in the chain "
                + "AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider(), EnvironmentVariableCredentialsProvider(), "
                + "WebIdentityTokenCredentialsProvider(), ProfileCredentialsProvider(...), ContainerCredentialsProvider(), InstanceProfileCredentialsProvider()])");
        TreelineException e = S3Clients.failure("read s3://treeline-models/m/champion.json", chain);
        assertEquals(ExitCode.SERVICE, e.exitCode());
        assertEquals("cannot read s3://treeline-models/m/champion.json: no AWS credentials (none in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE "
                + "or an instance role) and no local stack in use: set credentials for AWS, or start the local stack with './treeline local up', or use "
                + "the workspace whose stack runs (--workspace DIR or TREELINE_HOME)", e.getMessage());
        assertFalse(e.getMessage().contains("Provider"), "none of the SDK's chain");
    }

    @Test
    void s3ApisOtherThanAwsGetPlainSignedBodiesUnlessTheSdkSettingIsSet() {
        assertTrue(S3Clients.plainPayloads(Map.<String, String>of()::get));
        assertFalse(S3Clients.plainPayloads(Map.of("AWS_REQUEST_CHECKSUM_CALCULATION", "when_supported")::get));
    }
}
