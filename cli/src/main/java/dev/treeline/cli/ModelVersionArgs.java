package dev.treeline.cli;

import picocli.CommandLine.Parameters;

/** {@code MODEL VERSION}, as the models commands take them: VERSION is a number or an alias (a picocli mixin). */
final class ModelVersionArgs {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Registered model name.")
    String model;

    @Parameters(index = "1", paramLabel = "VERSION", description = "Version number, or an alias: champion, challenger, previous or @NAME.")
    String version;

    /** The version number VERSION names in the registry. */
    String resolve(RegistryOptions.Session s) {
        return s.mlflow.registry().resolveVersion(model, version);
    }
}
