package dev.treeline.cli;

import picocli.CommandLine.Option;

/** {@code --mlflow-uri}, for every command that talks to MLflow (a picocli mixin); resolved by EnvironmentResolver. */
final class MlflowOption {
    @Option(names = "--mlflow-uri", paramLabel = "URL",
            description = "MLflow tracking server (default: $MLFLOW_TRACKING_URI, else the local stack of the workspace or this machine).")
    String uri;
}
