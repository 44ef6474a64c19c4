package dev.treeline.pipelines.catalog;

import dev.treeline.pipelines.util.FileLocks;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A dataset kept as one directory per day ({@code <column>=YYYY-MM-DD}). A day is published when its
 * directory holds a {@link PartitionMarker}. Writing is two-phase: {@link #stage} writes the days beside
 * the dataset and reads their row counts and column statistics from the Parquet footers;
 * {@link Staged#publish} then swaps each day in by rename (readers see the old day or the new one) or
 * {@link Staged#discard} drops them.
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
        TreeMap<LocalDate, PartitionMarker> out = new TreeMap<>();
        try {
            PartitionFiles files = files();
            for (PartitionFiles.Entry e : files.list(root)) {
                if (!e.directory() || !e.name().startsWith(column + "=")) continue;
                PartitionMarker m = files.readMarker(new org.apache.hadoop.fs.Path(root, e.name()));
                if (m != null) out.put(LocalDate.parse(e.name().substring(column.length() + 1)), m);
            }
            cache = out;
            return new TreeMap<>(out);
        } catch (IOException e) {
            throw new DatasetException(name, root.toString(), "cannot list partitions: " + e.getMessage(), e);
        }
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
            if (m.rows() > 0) dirs.add(dayDir(d).toString());
        }
        if (dirs.isEmpty()) {
            throw new DatasetException(name, root.toString(), "the requested days " + days + " hold no rows", null);
        }
        return spark.read().option("basePath", root.toString()).parquet(dirs.toArray(String[]::new));
    }

    // ---- writing ------------------------------------------------------------------------------

    /** {@link #stage} then {@link Staged#publish}: returns rows per day. */
    public Map<LocalDate, Long> replace(Dataset<Row> rows, Collection<LocalDate> days, Function<LocalDate, String> fingerprint) {
        return stage(rows, days).publish(fingerprint);
    }

    /**
     * Writes {@code rows} (null for none; they must carry the day column) as the given days beside the
     * dataset, a file per day and writing task. Days with no rows are staged empty, so "no data that day" is recorded.
     */
    public Staged stage(Dataset<Row> rows, Collection<LocalDate> days) {
        org.apache.hadoop.fs.Path staging = newStaging();
        try {
            FileSystem fs = fs();
            claim(files(), staging);
            if (rows != null && !days.isEmpty()) {
                // Each task writes the days it holds (sorted by day within the task, as Spark does for partitioned writes): no
                // shuffle of whole rows, which for a wide table costs as much as the write. A day then has a file per task that
                // held some of it. Append: the directory exists already, holding only its owner file.
                rows.write().mode(SaveMode.Append).partitionBy(column).parquet(staging.toString());
            }
            Map<LocalDate, ParquetFooters.Summary> stats = new TreeMap<>();
            List<LocalDate> stray = new ArrayList<>();
            if (fs.exists(staging)) {
                for (FileStatus st : fs.listStatus(staging)) {
                    String dir = st.getPath().getName();
                    if (!st.isDirectory() || !dir.startsWith(column + "=")) continue;
                    LocalDate d = LocalDate.parse(dir.substring(column.length() + 1));
                    if (!days.contains(d)) stray.add(d);
                    stableNames(fs, st.getPath());
                    stats.put(d, ParquetFooters.of(fs, st.getPath(), conf()));
                }
            }
            if (!stray.isEmpty()) {
                fs.delete(staging, true);
                throw new IllegalStateException(name + ": rows for day(s) " + stray + " outside the days being written");
            }
            for (LocalDate d : days) stats.putIfAbsent(d, ParquetFooters.Summary.EMPTY);
            return new Staged(staging, stats);
        } catch (IOException e) {
            throw new DatasetException(name, root.toString(), "write failed: " + e.getMessage(), e);
        }
    }

    /** Days written beside the dataset, not yet visible. */
    public final class Staged {
        private final org.apache.hadoop.fs.Path staging;
        private final Map<LocalDate, ParquetFooters.Summary> days;

        private Staged(org.apache.hadoop.fs.Path staging, Map<LocalDate, ParquetFooters.Summary> days) {
            this.staging = staging;
            this.days = days;
        }

        public long rows(LocalDate day) {
            ParquetFooters.Summary s = days.get(day);
            return s == null ? 0 : s.rows();
        }

        public long rows() {
            return days.values().stream().mapToLong(ParquetFooters.Summary::rows).sum();
        }

        /** Marks and swaps in every staged day; returns rows per day. */
        public Map<LocalDate, Long> publish(Function<LocalDate, String> fingerprint) {
            Map<LocalDate, Long> written = new TreeMap<>();
            try (FileLocks.Held lock = FileLocks.acquire(lockFile)) {
                PartitionFiles files = files();
                recover(files, staging);
                String now = Instant.now().toString();
                Map<LocalDate, PartitionMarker> made = new TreeMap<>();
                for (var e : days.entrySet()) {
                    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(staging, column + "=" + e.getKey());
                    // A marker is a promise about the files beside it: never write one over files that are not there.
                    if (e.getValue().rows() > 0 && files.list(dir).stream().noneMatch(f -> !f.directory() && !f.name().startsWith("_")
                            && !f.name().startsWith("."))) {
                        throw new DatasetException(name, root.toString(), "the staged files of " + e.getKey() + " (" + e.getValue().rows()
                                + " rows) are gone from " + staging + " before publishing; nothing was published, run the date again", null);
                    }
                    files.mkdirs(dir);
                    PartitionMarker m = new PartitionMarker(fingerprint.apply(e.getKey()), e.getValue().rows(), now, runId, e.getValue().columns());
                    files.writeMarker(dir, m);
                    made.put(e.getKey(), m);
                    written.put(e.getKey(), e.getValue().rows());
                }
                files.mkdirs(root);
                for (LocalDate d : days.keySet()) swapIn(files, new org.apache.hadoop.fs.Path(staging, column + "=" + d), dayDir(d));
                files.delete(staging);
                if (cache != null) cache.putAll(made);
                return written;
            } catch (IOException e) {
                throw new DatasetException(name, root.toString(), "publishing failed: " + e.getMessage(), e);
            }
        }

        public void discard() {
            try {
                fs().delete(staging, true);
            } catch (IOException e) {
                throw new DatasetException(name, root.toString(), "cannot remove " + staging + ": " + e.getMessage(), e);
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
            org.apache.hadoop.fs.Path staging = newStaging();
            recover(files, staging);
            claim(files, staging);
            String now = Instant.now().toString();
            Map<LocalDate, PartitionMarker> made = new TreeMap<>();
            for (LocalDate day : days) {
                PartitionMarker m = source.marker(day);
                if (m == null) throw new DatasetException(source.name, source.location(), "day " + day + " is not published", null);
                org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(staging, column + "=" + day);
                files.mkdirs(to);
                org.apache.hadoop.fs.Path from = source.dayDir(day);
                for (PartitionFiles.Entry f : files.list(from)) {
                    if (f.directory() || f.name().startsWith("_") || f.name().startsWith(".")) continue;
                    files.linkOrCopy(new org.apache.hadoop.fs.Path(from, f.name()), new org.apache.hadoop.fs.Path(to, f.name()));
                }
                PartitionMarker copy = new PartitionMarker(fingerprint.apply(day), m.rows(), now, runId, m.columns());
                files.writeMarker(to, copy);
                made.put(day, copy);
            }
            files.mkdirs(root);
            for (LocalDate day : days) swapIn(files, new org.apache.hadoop.fs.Path(staging, column + "=" + day), dayDir(day));
            files.delete(staging);
            if (cache != null) cache.putAll(made);
        } catch (IOException e) {
            throw new DatasetException(name, root.toString(), "publishing copies of " + source.name + " failed: " + e.getMessage(), e);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private org.apache.hadoop.fs.Path dayDir(LocalDate day) {
        return new org.apache.hadoop.fs.Path(root, column + "=" + day);
    }

    private void swapIn(PartitionFiles files, org.apache.hadoop.fs.Path staged, org.apache.hadoop.fs.Path target) throws IOException {
        org.apache.hadoop.fs.Path aside = null;
        if (files.exists(target)) {
            aside = new org.apache.hadoop.fs.Path(root, "_old-" + target.getName() + "-" + UUID.randomUUID());
            files.rename(target, aside);
        }
        files.rename(staged, target);
        if (aside != null) files.delete(aside);
    }

    private org.apache.hadoop.fs.Path newStaging() {
        return new org.apache.hadoop.fs.Path(root.getParent(), root.getName() + ".staging-" + UUID.randomUUID());
    }

    /** Creates the staging directory with its owner file, before any data goes in. */
    private static void claim(PartitionFiles files, org.apache.hadoop.fs.Path staging) throws IOException {
        files.mkdirs(staging);
        files.write(new org.apache.hadoop.fs.Path(staging, StagingOwner.FILE), Json.write(StagingOwner.current()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Undoes what a crash left: restores a day moved aside but never replaced, drops staging whose writer
     * is gone. Never {@code own}, nor the staging of a writer still at work, however long its write takes:
     * staging and publishing are minutes apart when the rejects take a pass of their own.
     */
    private void recover(PartitionFiles files, org.apache.hadoop.fs.Path own) throws IOException {
        long now = System.currentTimeMillis();
        for (PartitionFiles.Entry e : files.list(root.getParent())) {
            if (!e.name().startsWith(root.getName() + ".staging-") || e.name().equals(own.getName())) continue;
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
