package dev.treeline.registry.review;

import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.util.Json;
import dev.treeline.pipelines.util.SafePaths;
import dev.treeline.registry.s3.S3Publisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The append-only audit log of model decisions (gate results, approvals, promotions, rollbacks, A/B
 * tests), one JSON object per line: {@code <workspace>/audit/<model>.jsonl}, appended under a file lock
 * and synced, and, when serving's S3 location is known, one object per event under
 * {@code <model>/audit/} there (S3 cannot append; keys sort by time).
 */
public final class AuditLog {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final S3Publisher s3;

    public AuditLog(Path workspace, S3Publisher s3) {
        this.dir = Workspace.at(workspace).audit();
        this.s3 = s3;
    }

    public Path file(String model) {
        return dir.resolve(SafePaths.modelName(model) + ".jsonl");
    }

    /** Appends one event: {@code at, model, version, action, actor, comment} and the details. */
    public Map<String, Object> append(String model, String version, String action, String actor, String comment, Map<String, Object> details) {
        Instant now = Instant.now();
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("at", now.toString());
        e.put("model", model);
        e.put("version", version);
        e.put("action", action);
        e.put("actor", actor);
        if (comment != null && !comment.isBlank()) e.put("comment", comment);
        if (details != null && !details.isEmpty()) e.put("details", details);
        String line = Json.canonical(e);
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(file(model), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                 FileLock lock = ch.lock()) {
                ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot append to the audit log " + file(model), ex);
        }
        if (s3 != null) s3.appendAudit(model, STAMP.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8), line);
        return e;
    }

    /** The local log's events, oldest first. */
    public List<Map<String, Object>> read(String model) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isRegularFile(file(model))) return out;
        try {
            for (String l : Files.readAllLines(file(model))) if (!l.isBlank()) out.add(Json.MAPPER.readValue(l, Map.class));
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read the audit log " + file(model), ex);
        }
        return out;
    }
}
