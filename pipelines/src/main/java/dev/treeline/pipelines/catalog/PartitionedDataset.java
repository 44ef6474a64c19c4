package dev.treeline.pipelines.catalog;

import dev.treeline.pipelines.util.FileLocks;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A dataset kept as one partition per day ({@code <column>=YYYY-MM-DD}). A day is published when its
 * directory holds a {@link PartitionMarker}, which points at the day's files in the version of the run
 * that wrote them ({@link DatasetVersions}). Writing is two-phase: {@link #stage} writes the days into a
 * new version, invisible to readers, and reads their row counts and column statistics from the Parquet
 * footers; {@link Staged#publish} then moves each day's pointer (readers see the old day or the new one)
 * or {@link Staged#discard} drops the version. Nothing is renamed, so object stores are as safe as a disk.
 */
public final class PartitionedDataset {
    private final SparkSession spark;
    private final String name;
    private final org.apache.hadoop.fs.Path root;
    private final String column;
    private final Path lockFile;
    private final String runId;
    /** Markers as this instance last saw them; writes through this instance keep it current. */
    private TreeMap<LocalDate, PartitionMarker> cache;

    PartitionedDataset(SparkSession spark, String name, String location, String column, Path lockFile, String runId) {
        this.spark = spark;
        this.name = name;
        this.root = new org.apache.hadoop.fs.Path(location);
        this.column = column;
        this.lockFile = lockFile;
        this.runId = runId;
    }

    public String name() {
        return name;
    }

    public String column() {
        return column;
    }

    public String location() {
        return root.toString();
    }

    // ---- reading ------------------------------------------------------------------------------

    /** Published days and their markers, oldest first. */
    public TreeMap<LocalDate, PartitionMarker> markers() {
        if (cache != null) return new TreeMap<>(cache);
        try {
            TreeMap<LocalDate, PartitionMarker> out = readMarkers(files());
            cache = out;
            return new TreeMap<>(out);
        } catch (IOException e) {
            throw new DatasetException(name, root.toString(), "cannot list partitions: " + e.getMessage(), e);
        }
    }

    private TreeMap<LocalDate, PartitionMarker> readMarkers(PartitionFiles files) throws IOException {
        TreeMap<LocalDate, PartitionMarker> out = new TreeMap<>();
        for (PartitionFiles.Entry e : files.list(root)) {
            if (!e.directory() || !e.name().startsWith(column + "=")) continue;
            PartitionMarker m = files.readMarker(new org.apache.hadoop.fs.Path(root, e.name()));
            if (m != null) out.put(LocalDate.parse(e.name().substring(column.length() + 1)), m);
        }
        return out;
    }

    /** The marker of one day, or null when the day is not published. */
    public PartitionMarker marker(LocalDate day) {
        if (cache != null) return cache.get(day);
        try {
            return files().readMarker(dayDir(day));
        } catch (IOException e) {
            throw new DatasetException(name, root.toString(), "cannot read the marker of " + day + ": " + e.getMessage(), e);
        }
    }

    /** Rows a day holds per its marker, or -1 when it is not published. */
    public long rows(LocalDate day) {
        PartitionMarker m = marker(day);
        return m == null ? -1 : m.rows();
    }

    /** Rows of the published days in [from, to]; fails when none is published. */
    public Dataset<Row> read(LocalDate from, LocalDate to) {
        var days = markers().subMap(from, true, to, true);
        if (days.isEmpty()) {
            throw new DatasetException(name, root.toString(), "has no published partitions between " + from + " and " + to
                    + "; run the step that writes it for those dates", null);
        }
        return read(days.keySet());
    }

    /** Rows of exactly these days (each must be published). Empty days contribute no rows. */
    public Dataset<Row> read(Collection<LocalDate> days) {
        TreeMap<LocalDate, PartitionMarker> published = markers();
        List<String> dirs = new ArrayList<>();
        for (LocalDate d : days) {
            PartitionMarker m = published.get(d);
            if (m == null) throw new DatasetException(name, root.toString(), "day " + d + " is not published", null);
            if (m.rows() > 0) dirs.add(dataDir(d, m).toString());
        }
        if (dirs.isEmpty()) {
            throw new DatasetException(name, root.toString(), "the requested days " + days + " hold no rows", null);
        }
        // The days live in different versions, so there is no one base path for Spark to discover the day column
        // under: each directory is read as it is and the day taken from the directory name its file sits in.
        Column day = functions.regexp_extract(functions.col("_metadata.file_path"), "=([0-9]{4}-[0-9]{2}-[0-9]{2})/[^/]*$", 1);
        return spark.read().parquet(dirs.toArray(String[]::new)).withColumn(column, functions.to_date(day));
    }

    // ---- writing ------------------------------------------------------------------------------

    /** {@link #stage} then {@link Staged#publish}: returns rows per day. */
    public Map<LocalDate, Long> replace(Dataset<Row> rows, Collection<LocalDate> days, Function<LocalDate, String> fingerprint) {
        return stage(rows, days).publish(fingerprint);
    }

    /**
     * Writes {@code rows} (null for none; they must carry the day column) as the given days into a new
     * version, a file per day and writing task. Days with no rows are staged empty, so "no data that day" is recorded.
     */
    public Staged stage(Dataset<Row> rows, Collection<LocalDate> days) {
        String id = DatasetVersions.newId();
        try {
            PartitionFiles files = files();
            DatasetVersions versions = new DatasetVersions(files, root);
            versions.open(id);
            org.apache.hadoop.fs.Path version = versions.resolve(DatasetVersions.path(id, null));
            if (rows != null && !days.isEmpty()) {
                // Each task writes the days it holds (sorted by day within the task, as Spark does for partitioned writes): no
                // shuffle of whole rows, which for a wide table costs as much as the write. A day then has a file per task that
                // held some of it.
                try {
                    rows.write().mode(SaveMode.Append).partitionBy(column).parquet(version.toString());
                } catch (Exception e) { // Spark throws its checked SparkException undeclared
                    // A failed write (a full disk, a lost store) gives its space back at once: a controller's process lives on,
                    // so nothing else would take its version for abandoned.
                    try {
                        versions.abandon(id);
                    } catch (IOException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                    throw e;
                }
            }
            FileSystem fs = fs();
            Map<LocalDate, ParquetFooters.Summary> stats = new TreeMap<>();
            List<LocalDate> stray = new ArrayList<>();
            for (PartitionFiles.Entry e : files.list(version)) {
                if (!e.directory() || !e.name().startsWith(column + "=")) continue;
                org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(version, e.name());
                LocalDate d = LocalDate.parse(e.name().substring(column.length() + 1));
                if (!days.contains(d)) stray.add(d);
                if (files.renameIsCheap()) stableNames(fs, dir);
                stats.put(d, ParquetFooters.of(fs, dir, conf()));
            }
            if (!stray.isEmpty()) {
                versions.abandon(id);
                throw new IllegalStateException(name + ": rows for day(s) " + stray + " outside the days being written");
            }
            for (LocalDate d : days) stats.putIfAbsent(d, ParquetFooters.Summary.EMPTY);
            return new Staged(id, stats);
        } catch (IOException e) {
            throw new DatasetException(name, root.toString(), "write failed: " + e.getMessage(), e);
        }
    }

    /** Days written into a new version, not yet visible. */
    public final class Staged {
        private final String id;
        private final Map<LocalDate, ParquetFooters.Summary> days;
        private boolean publishing;

        private Staged(String id, Map<LocalDate, ParquetFooters.Summary> days) {
            this.id = id;
            this.days = days;
        }

        public long rows(LocalDate day) {
            ParquetFooters.Summary s = days.get(day);
            return s == null ? 0 : s.rows();
        }

        public long rows() {
            return days.values().stream().mapToLong(ParquetFooters.Summary::rows).sum();
        }

        /** Points every staged day at this version; returns rows per day. */
        public Map<LocalDate, Long> publish(Function<LocalDate, String> fingerprint) {
            publishing = true;
            try (FileLocks.Held lock = FileLocks.acquire(lockFile)) {
                PartitionFiles files = files();
                String now = Instant.now().toString();
                Map<LocalDate, PartitionMarker> made = new TreeMap<>();
                for (var e : days.entrySet()) {
                    String data = dayPath(id, e.getKey());
                    // A marker is a promise about the files it points at: never write one over files that are not there.
                    if (e.getValue().rows() > 0 && files.list(new org.apache.hadoop.fs.Path(root, data)).stream()
                            .noneMatch(f -> !f.directory() && !f.name().startsWith("_") && !f.name().startsWith("."))) {
                        throw new DatasetException(name, root.toString(), "the staged files of " + e.getKey() + " (" + e.getValue().rows()
                                + " rows) are gone from " + new org.apache.hadoop.fs.Path(root, data) + " before publishing; nothing was published,"
                                + " run the date again", null);
                    }
                    made.put(e.getKey(), new PartitionMarker(fingerprint.apply(e.getKey()), e.getValue().rows(), now, runId, e.getValue().columns(), data));
                }
                point(files, id, made);
                return made.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, x -> x.getValue().rows(),
                        (a, b) -> a, TreeMap::new));
            } catch (IOException e) {
                throw new DatasetException(name, root.toString(), "publishing failed: " + e.getMessage(), e);
            }
        }

        /** Drops the version, unless publishing began: then pointers may name it, and collection keeps what they name. */
        public void discard() {
            if (publishing) return;
            try {
                new DatasetVersions(files(), root).abandon(id);
            } catch (IOException e) {
                throw new DatasetException(name, root.toString(), "cannot remove version " + id + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Publishes days as copies of another dataset's partitions of the same days: hard links on a local
     * file system (no data rewritten), copies elsewhere. Used when validation finds nothing to remove.
     */
    public void linkFrom(PartitionedDataset source, Collection<LocalDate> days, Function<LocalDate, String> fingerprint) {
        if (days.isEmpty()) return;
        try (FileLocks.Held lock = FileLocks.acquire(lockFile)) {
            PartitionFiles files = files();
            String id = DatasetVersions.newId();
            DatasetVersions versions = new DatasetVersions(files, root);
            versions.open(id);
            Map<LocalDate, PartitionMarker> made;
            try {
                made = copyDays(files, source, days, fingerprint, id);
            } catch (IOException | RuntimeException e) {
                versions.abandon(id); // nothing points at it yet
                throw e;
            }
            point(files, id, made);
        } catch (IOException e) {
            throw new DatasetException(name, root.toString(), "publishing copies of " + source.name + " failed: " + e.getMessage(), e);
        }
    }

    /** Copies (or links) the source's files of each day into version {@code id}; returns the days' markers, not yet written. */
    private Map<LocalDate, PartitionMarker> copyDays(PartitionFiles files, PartitionedDataset source, Collection<LocalDate> days, Function<LocalDate, String> fingerprint,
                          String id) throws IOException {
        String now = Instant.now().toString();
        Map<LocalDate, PartitionMarker> made = new TreeMap<>();
        for (LocalDate day : days) {
            PartitionMarker m = source.marker(day);
            if (m == null) throw new DatasetException(source.name, source.location(), "day " + day + " is not published", null);
            String data = dayPath(id, day);
            org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(root, data);
            org.apache.hadoop.fs.Path from = source.dataDir(day, m);
            // The source may live on another file system (curated on S3, validated rows on the local disk): list it with its own.
            PartitionFiles sourceFiles = source.files();
            boolean link = sourceFiles instanceof PartitionFiles.Local && files instanceof PartitionFiles.Local;
            int copied = 0;
            for (PartitionFiles.Entry f : sourceFiles.list(from)) {
                if (f.directory() || f.name().startsWith("_") || f.name().startsWith(".")) continue;
                files.mkdirs(to);
                org.apache.hadoop.fs.Path a = new org.apache.hadoop.fs.Path(from, f.name());
                org.apache.hadoop.fs.Path b = new org.apache.hadoop.fs.Path(to, f.name());
                if (link) {
                    files.linkOrCopy(a, b);
                } else if (!FileUtil.copy(a.getFileSystem(conf()), a, b.getFileSystem(conf()), b, false, conf())) {
                    throw new IOException("cannot copy " + a + " to " + b);
                }
                copied++;
            }
            // A marker is a promise about the files it points at: never write one over files that are not there.
            if (m.rows() > 0 && copied == 0) {
                throw new DatasetException(source.name, source.location(), "the files of " + day + " (" + m.rows() + " rows) are gone from " + from
                        + "; run the step that writes it for that date again", null);
            }
            made.put(day, new PartitionMarker(fingerprint.apply(day), m.rows(), now, runId, m.columns(), data));
        }
        return made;
    }

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * Moves the pointers of {@code made}'s days to version {@code id} (under the dataset lock): what they
     * pointed at is recorded as superseded first, then each marker is written whole, then the writer is
     * done and what no pointer or live writer needs is collected.
     */
    private void point(PartitionFiles files, String id, Map<LocalDate, PartitionMarker> made) throws IOException {
        DatasetVersions versions = new DatasetVersions(files, root);
        List<String> replaced = new ArrayList<>();
        for (LocalDate d : made.keySet()) {
            PartitionMarker old = files.readMarker(dayDir(d));
            if (old != null && old.rows() > 0) replaced.add(old.data() != null ? old.data() : column + "=" + d);
        }
        versions.supersede(id, replaced);
        for (var e : made.entrySet()) {
            files.mkdirs(dayDir(e.getKey()));
            files.writeMarker(dayDir(e.getKey()), e.getValue());
        }
        versions.close(id);
        if (cache != null) cache.putAll(made);
        versions.collect(id, new DatasetVersions.Pointers() {
            public List<String> dataPaths(String versionId) throws IOException {
                List<String> out = new ArrayList<>();
                for (PartitionFiles.Entry e : files.list(versions.resolve(DatasetVersions.path(versionId, null)))) {
                    if (e.directory() && e.name().startsWith(column + "=")) out.add(DatasetVersions.path(versionId, e.name()));
                }
                return out;
            }

            public boolean referenced(String path) throws IOException {
                String last = path.substring(path.lastIndexOf('/') + 1);
                if (!last.startsWith(column + "=")) return true; // not a day directory: keep what is not understood
                PartitionMarker m = files.readMarker(dayDir(LocalDate.parse(last.substring(column.length() + 1))));
                if (m == null) return false;
                return m.data() == null ? path.equals(last) : m.data().equals(path);
            }
        });
        recoverOlderLayout(files);
    }

    private String dayPath(String versionId, LocalDate day) {
        return DatasetVersions.path(versionId, column + "=" + day);
    }

    private org.apache.hadoop.fs.Path dayDir(LocalDate day) {
        return new org.apache.hadoop.fs.Path(root, column + "=" + day);
    }

    /** Where a published day's files are: its version's directory, or beside the marker for a day written in place. */
    private org.apache.hadoop.fs.Path dataDir(LocalDate day, PartitionMarker m) {
        return m.data() == null ? dayDir(day) : new org.apache.hadoop.fs.Path(root, m.data());
    }

    /**
     * Undoes what a crash of an earlier Treeline (which staged beside the dataset and swapped days in by
     * rename) left: restores a day moved aside but never replaced, drops staging whose writer is gone.
     */
    private void recoverOlderLayout(PartitionFiles files) throws IOException {
        long now = System.currentTimeMillis();
        for (PartitionFiles.Entry e : files.list(root.getParent())) {
            if (!e.name().startsWith(root.getName() + ".staging-")) continue;
            org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root.getParent(), e.name());
            byte[] owner = files.read(new org.apache.hadoop.fs.Path(dir, StagingOwner.FILE));
            boolean abandoned = owner != null ? Json.MAPPER.readValue(owner, StagingOwner.class).abandoned(now)
                    : e.modified() > 0 && now - e.modified() > StagingOwner.UNOWNED_MILLIS;
            if (abandoned) files.delete(dir);
        }
        for (PartitionFiles.Entry e : files.list(root)) {
            if (!e.name().startsWith("_old-")) continue;
            String day = e.name().substring("_old-".length(), e.name().length() - 37); // strip "-<uuid>"
            org.apache.hadoop.fs.Path aside = new org.apache.hadoop.fs.Path(root, e.name());
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root, day);
            if (!files.exists(target)) {
                files.rename(aside, target);
                cache = null; // a day came back
            } else {
                files.delete(aside);
            }
        }
    }

    /** Renames Spark's part files (task number plus a random id) to part-NNNNN.snappy.parquet. */
    private static void stableNames(FileSystem fs, org.apache.hadoop.fs.Path dir) throws IOException {
        for (FileStatus f : fs.listStatus(dir)) {
            String n = f.getPath().getName();
            if (!n.startsWith("part-") || n.length() <= 10) continue;
            String ext = n.endsWith(".snappy.parquet") ? ".snappy.parquet" : n.substring(n.indexOf('.'));
            fs.rename(f.getPath(), new org.apache.hadoop.fs.Path(dir, n.substring(0, 10) + ext));
        }
    }

    private PartitionFiles files() throws IOException {
        return PartitionFiles.of(root, conf());
    }

    private FileSystem fs() throws IOException {
        FileSystem fs = root.getFileSystem(conf());
        // Hadoop's local file system writes a .crc beside every file: work with no value here (Parquet checksums its pages).
        if (fs instanceof LocalFileSystem) {
            fs.setWriteChecksum(false);
            fs.setVerifyChecksum(false);
        }
        return fs;
    }

    private Configuration conf() {
        return spark.sparkContext().hadoopConfiguration();
    }

    static LocalDate toLocalDate(Object value) {
        if (value instanceof Date d) return d.toLocalDate();
        if (value instanceof LocalDate d) return d;
        return LocalDate.parse(String.valueOf(value));
    }

    /** The day column for a timestamp column: {@code to_date(ts)}. */
    public static Column dayOf(String timestampColumn) {
        return functions.to_date(functions.col(timestampColumn));
    }
}
