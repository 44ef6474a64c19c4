package dev.treeline.registry.s3;

import dev.treeline.pipelines.env.S3Settings;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/** S3 clients from settings: real AWS by default, any S3 API (S3Proxy, MinIO) with an endpoint. */
public final class S3Clients {
    private S3Clients() {}

    public static S3Client create(S3Settings s) {
        var b = S3Client.builder()
                .region(Region.of(s.region()))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(s.hasStaticCredentials()
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey()))
                        : DefaultCredentialsProvider.builder().build());
        if (s.endpoint() != null) {
            b.endpointOverride(URI.create(s.endpoint()))
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
        }
        return b.build();
    }
}
