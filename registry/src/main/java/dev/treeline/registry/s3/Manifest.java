package dev.treeline.registry.s3;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** {@code manifest.json} of a published model version: every file with size and sha256, plus lineage and holdout metrics. */
public record Manifest(
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("model") String model,
        @JsonProperty("version") String version,
        @JsonProperty("run_id") String runId,
        @JsonProperty("published_at") String publishedAt,
        @JsonProperty("files") List<FileEntry> files,
        @JsonProperty("lineage") Map<String, String> lineage,
        @JsonProperty("metrics") Map<String, Double> metrics) {

    public static final String FILE = "manifest.json";

    public record FileEntry(@JsonProperty("path") String path, @JsonProperty("size") long size, @JsonProperty("sha256") String sha256) {}

    /** Lists a directory's files (hidden Hadoop .crc side files excluded), sorted by path. */
    public static List<FileEntry> describe(Path dir) {
        List<FileEntry> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                if (f.getFileName().toString().startsWith(".")) continue;
                out.add(new FileEntry(dir.relativize(f).toString().replace('\\', '/'), Files.size(f), Hashing.sha256(f)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Same files, same bytes. */
    public boolean sameFilesAs(List<FileEntry> other) {
        return files.equals(other);
    }
}
