package dev.treeline.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code -p/--param NAME=VALUE}, values for ${NAME} in a spec or schedule file (a picocli mixin). */
final class ParamsOption {
    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE",
            description = "Value for $${NAME} in the spec or schedule file (repeatable; secrets belong in the environment, not here).")
    List<String> values = new ArrayList<>();
}
