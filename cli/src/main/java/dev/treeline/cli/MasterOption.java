package dev.treeline.cli;

import picocli.CommandLine.Option;

/** {@code --master}, for every command that starts Spark (a picocli mixin); resolved like every setting by EnvironmentResolver. */
final class MasterOption {
    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N], spark://HOST:PORT, yarn or k8s://... (default: $TREELINE_SPARK_MASTER, else the spec's spark.master, "
                    + "else local[*]).")
    String master;
}
