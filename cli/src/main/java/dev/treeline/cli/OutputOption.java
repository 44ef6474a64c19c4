package dev.treeline.cli;

import dev.treeline.pipelines.util.Json;
import picocli.CommandLine.Option;

/** {@code --output text|json}, the one option every listing command and every command scripts act through takes (a picocli mixin). */
final class OutputOption {
    @Option(names = "--output", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).", defaultValue = "text")
    OutputFormat format;

    boolean json() {
        return format == OutputFormat.json;
    }

    /** Prints the result: {@code value} as one line of JSON, or {@code text}. */
    void print(Object value, String text) {
        System.out.println(json() ? Json.write(value) : text);
    }
}
