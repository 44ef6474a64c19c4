package dev.treeline.registry.s3;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.S3Settings;
import java.net.URI;
import java.time.Duration;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/** S3 clients from settings: real AWS by default, any S3 API (S3Proxy, MinIO) with an endpoint. */
public final class S3Clients {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    static final Duration CALL_TIMEOUT = Duration.ofMinutes(10);

    private S3Clients() {}

    public static S3Client create(S3Settings s) {
        return create(s, System::getenv);
    }

    static S3Client create(S3Settings s, Function<String, String> env) {
        var b = S3Client.builder()
                .region(Region.of(s.region()))
                // The SDK's client for servers: pooled connections checked before reuse, buffered request bodies.
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(SOCKET_TIMEOUT)
                        .connectionAcquisitionTimeout(CONNECT_TIMEOUT))
                .overrideConfiguration(o -> o.apiCallTimeout(CALL_TIMEOUT))
                .credentialsProvider(s.hasStaticCredentials()
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey()))
                        : DefaultCredentialsProvider.builder().build());
        if (s.endpoint() != null) {
            b.endpointOverride(URI.create(s.endpoint()))
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
            if (plainPayloads(env)) b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
        }
        return b.build();
    }

    /**
     * One line for a failed S3 call: a missing credential says which settings supply one instead of
     * listing the SDK's whole provider chain; anything else keeps the SDK's message.
     */
    public static TreelineException failure(String what, Exception e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Unable to load credentials")) {
            return new TreelineException(ExitCode.SERVICE, "cannot " + what
                    + ": no AWS credentials (none in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role) and no local stack "
                    + "in use: set credentials for AWS, or start the local stack with './treeline local up', or use the workspace whose stack "
                    + "runs (--workspace DIR or TREELINE_HOME)", e);
        }
        return new TreelineException(ExitCode.SERVICE, "cannot " + what + ": " + m
                + "; check TREELINE_S3_ENDPOINT and the AWS credentials, or start the local stack with './treeline local up'", e);
    }

    /**
     * Whether uploads to an S3 API other than AWS go as plain signed bodies rather than aws-chunked with
     * a checksum trailer (the SDK's default since 2.30). S3Proxy answers a PutObject once it has read
     * the object's bytes and closes the connection without reading the trailer, so a client still
     * writing it fails with "Error writing request body to server" though the object was stored; other
     * S3 APIs lack trailer support altogether. Over plain HTTP the body is still covered by the SigV4
     * payload hash, and published files are checked against their manifest's sha256 in any case.
     * AWS_REQUEST_CHECKSUM_CALCULATION, when set, decides instead (the SDK reads it).
     */
    static boolean plainPayloads(Function<String, String> env) {
        String configured = env.apply("AWS_REQUEST_CHECKSUM_CALCULATION");
        return configured == null || configured.isBlank();
    }
}
