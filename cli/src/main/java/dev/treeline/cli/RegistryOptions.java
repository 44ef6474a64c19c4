package dev.treeline.cli;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.review.ModelLifecycle;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.steps.RegistryTags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/** Where the registry and serving's S3 location are, for the {@code models} commands. */
final class RegistryOptions {
    @Mixin CommonOptions common;

    @Mixin MlflowOption mlflowOption;

    @Option(names = "--bucket", paramLabel = "BUCKET",
            description = "Serving's bucket (default: where the push step published the model, else $TREELINE_S3_BUCKET, else treeline-models).")
    String bucket;

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "Key prefix in the bucket (default: the push step's, else none).")
    String prefix;

    /** An open registry and S3 client; close after use. */
    final class Session implements AutoCloseable {
        final Environment env = Cli.environment(common, mlflowOption.uri, null, Map.of());
        final MlflowConnection mlflow = MlflowConnection.fromEnvironment(env.requireMlflow());
        private S3Client s3;

        /** Serving's publisher for {@code model}: flags, else the registered model's serving location, else the defaults. */
        S3Publisher publisher(String model) {
            String b = bucket;
            String p = prefix;
            if (b == null) {
                String location = mlflow.registry().modelTags(model).get(RegistryTags.SERVING_LOCATION);
                if (location != null && location.startsWith("s3://")) {
                    URI u = URI.create(location);
                    b = u.getHost();
                    p = p != null ? p : u.getPath().replaceFirst("^/", "");
                }
            }
            if (b == null) {
                b = EnvironmentResolver.system().servingBucket(LocalStack.DEFAULT_BUCKET);
            }
            if (s3 == null) s3 = S3Clients.create(env.s3());
            return new S3Publisher(s3, b, p == null ? "" : p, env.s3());
        }

        ModelLifecycle lifecycle(String model) {
            S3Publisher pub = publisher(model);
            Path scratch;
            try {
                scratch = Files.createDirectories(Workspace.at(env.workspace()).tmp());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return ModelLifecycle.forUser(env.workspace(), mlflow, pub, scratch);
        }

        @Override
        public void close() {
            mlflow.close();
            if (s3 != null) s3.close();
        }
    }

    Session open() {
        return new Session();
    }
}
