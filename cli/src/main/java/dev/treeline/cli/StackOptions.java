package dev.treeline.cli;

import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.registry.local.LocalStack;
import java.util.List;
import picocli.CommandLine.Option;

/** Ports of the local stack. */
final class StackOptions {
    @Option(names = "--mlflow-port", paramLabel = "PORT", description = "MLflow port (default: $TREELINE_MLFLOW_PORT, else 5000).")
    Integer mlflowPort;

    @Option(names = "--s3-port", paramLabel = "PORT", description = "S3Proxy port (default: $TREELINE_S3_PORT, else 9000).")
    Integer s3Port;

    LocalStack stack(CommonOptions common) {
        EnvironmentResolver r = EnvironmentResolver.system();
        return new LocalStack(r.workspace(common.workspace), r.cacheDir(),
                r.port(mlflowPort, "TREELINE_MLFLOW_PORT", LocalStack.DEFAULT_MLFLOW_PORT),
                r.port(s3Port, "TREELINE_S3_PORT", LocalStack.DEFAULT_S3_PORT),
                List.of(LocalStack.DEFAULT_BUCKET), Cli.OUT);
    }
}
