package dev.treeline.features.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.SpecNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a secret lives: an environment variable or a file. Specs, params and persisted stages hold only
 * this reference; the value is read when needed and never logged.
 */
public record SecretRef(@JsonProperty("env") String env, @JsonProperty("file") String file) {

    static SecretRef from(SpecNode node) {
        node.allowOnly("env", "file");
        String env = node.string("env", null);
        String file = node.string("file", null);
        if ((env == null) == (file == null)) throw node.error("give exactly one of env: VARIABLE or file: PATH");
        return new SecretRef(env, file);
    }

    /** The secret's value; fails with a configuration error naming the variable or file when it is missing. */
    public byte[] read() {
        if (env != null) {
            String v = System.getenv(env);
            if (v == null || v.isEmpty()) {
                throw new TreelineException(ExitCode.SPEC, "secret: environment variable " + env + " is not set; set it (or use file:)");
            }
            return v.getBytes(StandardCharsets.UTF_8);
        }
        try {
            byte[] bytes = Files.readAllBytes(Path.of(file));
            String s = new String(bytes, StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) throw new TreelineException(ExitCode.SPEC, "secret: file " + file + " is empty");
            return s.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TreelineException(ExitCode.SPEC, "secret: cannot read file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public String toString() {
        return env != null ? "env:" + env : "file:" + file;
    }
}
