package dev.treeline.cli;

import picocli.CommandLine.Option;

/** {@code --output text|json}, the one option every listing command takes (a picocli mixin). */
final class OutputOption {
    @Option(names = "--output", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).", defaultValue = "text")
    OutputFormat format;

    boolean json() {
        return format == OutputFormat.json;
    }
}
