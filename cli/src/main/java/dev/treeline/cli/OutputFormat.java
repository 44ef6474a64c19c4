package dev.treeline.cli;

/** {@code --output} of listing commands. */
enum OutputFormat { text, json }
