package dev.treeline.pipelines.ingest;

import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The last watermark an incremental source was read up to, per pipeline and dataset, saved after the data is published. */
final class Watermarks {
    private final Path file;

    Watermarks(Path workspace, String pipeline, String dataset) {
        this.file = Workspace.at(workspace).watermark(pipeline, dataset);
    }

    String read() {
        if (!Files.exists(file)) return null;
        try {
            return (String) Json.read(file, Map.class).get("watermark");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    void write(String watermark) {
        try {
            Json.writeAtomically(file, Map.of("watermark", watermark));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
