package dev.treeline.pipelines.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.Path;

/**
 * The immutable versions of one dataset and their collection: how a dataset is published without a
 * rename, so the same code is safe on a local disk, HDFS and object stores (where rename is a copy and a
 * kill mid-rename leaves half a directory). Under the dataset's root:
 * <pre>
 *   _versions/&lt;id&gt;/...            one writer's files, never changed once published
 *   _writers/&lt;id&gt;.json             that writer's {@link StagingOwner}, written before its data, removed after its pointers
 *   _superseded/&lt;millis&gt;-&lt;id&gt;.json  data paths a publish replaced, removed with them after {@link #GRACE_MILLIS}
 * </pre>
 * Readers follow pointers (a day's {@link PartitionMarker}, a table's {@link TablePointer}), written
 * last, one small object each: a reader sees the old data or the new, never a mix. Nothing a pointer
 * names, and nothing a live writer is still writing, is ever deleted.
 */
final class DatasetVersions {
    static final String VERSIONS = "_versions";
    static final String WRITERS = "_writers";
    static final String SUPERSEDED = "_superseded";
    /** How long replaced data stays readable: a reader that followed the old pointer finishes within this. */
    static final long GRACE_MILLIS = 3600_000L;
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    /** What a dataset's pointers say about its data paths (relative to the root). */
    interface Pointers {
        /** The paths inside a version that a pointer could name. */
        List<String> dataPaths(String versionId) throws IOException;

        /** Whether a pointer names this path now (read from storage, not a cache). */
        boolean referenced(String path) throws IOException;
    }

    private final PartitionFiles files;
    private final Path root;

    DatasetVersions(PartitionFiles files, Path root) {
        this.files = files;
        this.root = root;
    }

    static String newId() {
        return ID_TIME.format(java.time.Instant.now()) + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The relative path of a version, or of a path inside it. */
    static String path(String id, String inside) {
        return inside == null || inside.isEmpty() ? VERSIONS + "/" + id : VERSIONS + "/" + id + "/" + inside;
    }

    Path resolve(String relative) {
        return relative.equals(".") ? root : new Path(root, relative);
    }

    /** Registers this process as the writer of a new version before any of its data is written. */
    void open(String id) throws IOException {
        files.write(writerFile(id), Json.write(StagingOwner.current()).getBytes(StandardCharsets.UTF_8));
    }

    /** The writer is done: its pointers are written (or it published nothing). */
    void close(String id) throws IOException {
        if (!hasData(resolve(path(id, null)))) files.delete(resolve(path(id, null)));
        files.delete(writerFile(id));
    }

    /** Drops a version nothing points to, and its writer entry. */
    void abandon(String id) throws IOException {
        files.delete(resolve(path(id, null)));
        files.delete(writerFile(id));
    }

    /**
     * Records paths about to be replaced, before the pointers move: a crash after this leaves an entry
     * naming paths still pointed to, which collection checks and keeps; a crash before leaves nothing to clean.
     */
    void supersede(String byId, List<String> paths) throws IOException {
        if (paths.isEmpty()) return;
        files.write(new Path(resolve(SUPERSEDED), System.currentTimeMillis() + "-" + byId + ".json"),
                Json.write(paths).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Deletes what no pointer names and no live writer owns: versions of writers that are gone (their
     * unreferenced paths) and data replaced more than {@link #GRACE_MILLIS} ago.
     */
    void collect(String ownId, Pointers pointers) throws IOException {
        long now = System.currentTimeMillis();
        for (PartitionFiles.Entry e : files.list(resolve(WRITERS))) {
            if (!e.name().endsWith(".json")) continue;
            String id = e.name().substring(0, e.name().length() - 5);
            if (id.equals(ownId)) continue;
            byte[] owner = files.read(writerFile(id));
            // No owner yet: a writer between creating its entry and writing it. Leave it.
            if (owner == null || !Json.MAPPER.readValue(owner, StagingOwner.class).abandoned(now)) continue;
            for (String p : pointers.dataPaths(id)) {
                if (!pointers.referenced(p)) drop(p);
            }
            close(id);
        }
        for (PartitionFiles.Entry e : files.list(resolve(SUPERSEDED))) {
            int dash = e.name().indexOf('-');
            if (dash < 0 || !e.name().endsWith(".json")) continue;
            long at;
            try {
                at = Long.parseLong(e.name().substring(0, dash));
            } catch (NumberFormatException notOurs) {
                continue;
            }
            if (now - at < GRACE_MILLIS) continue;
            Path entry = new Path(resolve(SUPERSEDED), e.name());
            byte[] bytes = files.read(entry);
            if (bytes != null) {
                for (String p : Json.MAPPER.readValue(bytes, new TypeReference<List<String>>() {})) {
                    if (!pointers.referenced(p)) drop(p);
                }
            }
            files.delete(entry);
        }
    }

    /** Deletes a replaced data path: a directory in a version (and the version once it holds no data), or the files of an older in-place layout. */
    private void drop(String relative) throws IOException {
        Path p = resolve(relative);
        if (relative.startsWith(VERSIONS + "/")) {
            files.delete(p);
            String[] parts = relative.split("/");
            Path version = resolve(path(parts[1], null));
            if (!hasData(version) && !files.exists(writerFile(parts[1]))) files.delete(version);
        } else {
            // Written in place by an earlier Treeline: the data files sit beside the pointer, which stays.
            for (PartitionFiles.Entry f : files.list(p)) {
                if (!f.name().startsWith("_") && !f.name().startsWith(".")) files.delete(new Path(p, f.name()));
            }
        }
    }

    /** Whether a directory holds anything but bookkeeping (Spark's {@code _SUCCESS}, {@code _temporary}). */
    private boolean hasData(Path dir) throws IOException {
        return files.list(dir).stream().anyMatch(f -> !f.name().startsWith("_") && !f.name().startsWith("."));
    }

    private Path writerFile(String id) {
        return new Path(resolve(WRITERS), id + ".json");
    }
}
