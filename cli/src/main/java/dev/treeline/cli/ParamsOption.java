package dev.treeline.cli;

import dev.treeline.pipelines.spec.ParamsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code -p/--param NAME=VALUE} and {@code --param-file FILE}: values for ${NAME} in a spec or schedule file (a picocli mixin). */
final class ParamsOption {
    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE",
            description = "Value for $${NAME} in the spec or schedule file (repeatable; wins over --param-file; secrets belong in the environment "
                    + "or --param-file, not here).")
    List<String> values = new ArrayList<>();

    @Option(names = "--param-file", paramLabel = "FILE",
            description = "Values for $${NAME} from a file of NAME=VALUE lines (Java properties; # comments), kept out of the command line.")
    Path file;

    /** The params: the file's, then -p on top. */
    Map<String, String> map() {
        Map<String, String> out = new LinkedHashMap<>(file == null ? Map.of() : ParamsFile.read(file));
        out.putAll(Cli.params(values));
        return out;
    }
}
