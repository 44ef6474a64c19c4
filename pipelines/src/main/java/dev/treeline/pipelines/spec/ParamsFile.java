package dev.treeline.pipelines.spec;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Spec params in a file ({@code --param-file}): Java properties, {@code NAME=VALUE} per line, {@code #}
 * comments. How values reach a run without appearing in a command line (and so in {@code ps}, the Spark
 * UI or a shell history): the submitter writes one readable by its owner only, the driver reads it.
 */
public final class ParamsFile {
    private ParamsFile() {}

    public static Map<String, String> read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new TreelineException(ExitCode.USAGE, "--param-file " + file + ": cannot read (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new TreelineException(ExitCode.USAGE, "--param-file " + file + ": not NAME=VALUE lines (" + e.getMessage() + ")");
        }
        Map<String, String> out = new TreeMap<>();
        p.forEach((k, v) -> out.put((String) k, (String) v));
        return out;
    }

    /** Writes {@code params} to a new file in {@code dir} that only its owner can read; the caller deletes it. */
    public static Path writePrivate(Path dir, Map<String, String> params) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("params-" + UUID.randomUUID() + ".properties");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Properties p = new Properties();
            p.putAll(params);
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                p.store(w, null);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the params file in " + dir, e);
        }
    }
}
