package dev.treeline.pipelines.catalog;

import dev.treeline.pipelines.util.FileLocks;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A dataset kept as one directory per day ({@code <column>=YYYY-MM-DD}). A day is published when its
 * directory holds a {@link PartitionMarker}; replacing days writes them all beside the dataset first and
 * then swaps each day in by rename, so readers see either the old day or the new one.
 */
public final class PartitionedDataset {
    private final SparkSession spark;
    private final String name;
    private final org.apache.hadoop.fs.Path root;
    private final String column;
    private final Path lockFile;
    private final String runId;

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

    /** Published days and their markers, oldest first. */
    public TreeMap<LocalDate, PartitionMarker> markers() {
        TreeMap<LocalDate, PartitionMarker> out = new TreeMap<>();
        try {
            FileSystem fs = fs();
            if (!fs.exists(root)) return out;
            for (FileStatus st : fs.listStatus(root)) {
                String dir = st.getPath().getName();
                if (!st.isDirectory() || !dir.startsWith(column + "=")) continue;
                org.apache.hadoop.fs.Path marker = new org.apache.hadoop.fs.Path(st.getPath(), PartitionMarker.FILE);
                if (!fs.exists(marker)) continue;
                try (InputStream in = fs.open(marker)) {
                    out.put(LocalDate.parse(dir.substring(column.length() + 1)),
                            Json.MAPPER.readValue(in, PartitionMarker.class));
                }
            }
            return out;
        } catch (IOException e) {
            throw new DatasetException(name, root.toString(), "cannot list partitions: " + e.getMessage(), e);
        }
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
        List<String> dirs = new java.util.ArrayList<>();
        for (LocalDate d : days) {
            PartitionMarker m = published.get(d);
            if (m == null) throw new DatasetException(name, root.toString(), "day " + d + " is not published", null);
            if (m.rows() > 0) dirs.add(new org.apache.hadoop.fs.Path(root, column + "=" + d).toString());
        }
        if (dirs.isEmpty()) {
            throw new DatasetException(name, root.toString(), "the requested days " + days + " hold no rows", null);
        }
        return spark.read().option("basePath", root.toString()).parquet(dirs.toArray(String[]::new));
    }

    /**
     * Publishes {@code rows} (null for none) as the given days, replacing those days entirely. Days with
     * no rows get an empty partition with a marker (so "no data that day" is recorded, not retried). Returns rows per day.
     */
    public Map<LocalDate, Long> replace(Dataset<Row> rows, Collection<LocalDate> days, Function<LocalDate, String> fingerprint) {
        if (days.isEmpty()) return Map.of();
        try (FileLocks.Held lock = FileLocks.acquire(lockFile)) {
            FileSystem fs = fs();
            recover(fs);
            // Beside the dataset, not inside it: Spark ignores paths that start with '_' or '.'.
            org.apache.hadoop.fs.Path staging = new org.apache.hadoop.fs.Path(root.getParent(), root.getName() + ".staging-" + UUID.randomUUID());
            Map<LocalDate, Long> counts = new HashMap<>();
            if (rows != null) {
                // One task per day (one file per partition), rows in a fixed order: the same rows give the same bytes.
                rows.repartition(functions.col(column)).sortWithinPartitions(sortColumns(rows))
                        .write().mode(SaveMode.ErrorIfExists).partitionBy(column).parquet(staging.toString());
                stableNames(fs, staging);
                if (hasDataFiles(fs, staging)) {
                    for (Row r : spark.read().parquet(staging.toString()).groupBy(column).count().collectAsList()) {
                        counts.put(toLocalDate(r.get(0)), r.getLong(1));
                    }
                }
            }
            String now = Instant.now().toString();
            for (LocalDate day : days) {
                org.apache.hadoop.fs.Path dayDir = new org.apache.hadoop.fs.Path(staging, column + "=" + day);
                fs.mkdirs(dayDir);
                long n = counts.getOrDefault(day, 0L);
                writeMarker(fs, dayDir, new PartitionMarker(fingerprint.apply(day), n, now, runId));
            }
            for (LocalDate day : days) {
                swapIn(fs, new org.apache.hadoop.fs.Path(staging, column + "=" + day), new org.apache.hadoop.fs.Path(root, column + "=" + day));
            }
            fs.delete(staging, true);
            Map<LocalDate, Long> written = new TreeMap<>();
            for (LocalDate d : days) written.put(d, counts.getOrDefault(d, 0L));
            long stray = counts.keySet().stream().filter(d -> !days.contains(d)).count();
            if (stray > 0) throw new IllegalStateException(name + ": rows for " + stray + " day(s) outside the days being replaced");
            return written;
        } catch (IOException e) {
            throw new DatasetException(name, root.toString(), "write failed: " + e.getMessage(), e);
        }
    }

    /** The day column first, then every column Spark can order by. */
    private org.apache.spark.sql.Column[] sortColumns(Dataset<Row> rows) {
        List<org.apache.spark.sql.Column> cols = new java.util.ArrayList<>();
        cols.add(functions.col(column));
        for (var f : rows.schema().fields()) {
            if (f.name().equals(column)) continue;
            if (f.dataType() instanceof org.apache.spark.sql.types.AtomicType) cols.add(functions.col("`" + f.name() + "`"));
        }
        return cols.toArray(org.apache.spark.sql.Column[]::new);
    }

    /** Renames Spark's part files (task number plus a random id) to part-NNNNN.snappy.parquet. */
    private static void stableNames(FileSystem fs, org.apache.hadoop.fs.Path staging) throws IOException {
        if (!fs.exists(staging)) return;
        var files = fs.listFiles(staging, true);
        List<org.apache.hadoop.fs.Path> parts = new java.util.ArrayList<>();
        while (files.hasNext()) {
            org.apache.hadoop.fs.Path p = files.next().getPath();
            if (p.getName().startsWith("part-")) parts.add(p);
        }
        for (org.apache.hadoop.fs.Path p : parts) {
            String n = p.getName();
            String task = n.length() > 10 ? n.substring(0, 10) : n;
            String ext = n.endsWith(".snappy.parquet") ? ".snappy.parquet" : n.substring(n.indexOf('.'));
            fs.rename(p, new org.apache.hadoop.fs.Path(p.getParent(), task + ext));
        }
    }

    private static boolean hasDataFiles(FileSystem fs, org.apache.hadoop.fs.Path dir) throws IOException {
        if (!fs.exists(dir)) return false;
        var files = fs.listFiles(dir, true);
        while (files.hasNext()) {
            String n = files.next().getPath().getName();
            if (!n.startsWith("_") && !n.startsWith(".")) return true;
        }
        return false;
    }

    /**
     * Publishes days as copies of another dataset's partitions of the same days: hard links on a local
     * file system (no data rewritten), copies elsewhere. Used when validation finds nothing to remove.
     */
    public void linkFrom(PartitionedDataset source, Collection<LocalDate> days, Function<LocalDate, String> fingerprint) {
        if (days.isEmpty()) return;
        TreeMap<LocalDate, PartitionMarker> sourceMarkers = source.markers();
        try (FileLocks.Held lock = FileLocks.acquire(lockFile)) {
            FileSystem fs = fs();
            recover(fs);
            org.apache.hadoop.fs.Path staging = new org.apache.hadoop.fs.Path(root.getParent(), root.getName() + ".staging-" + UUID.randomUUID());
            String now = Instant.now().toString();
            for (LocalDate day : days) {
                PartitionMarker m = sourceMarkers.get(day);
                if (m == null) throw new DatasetException(source.name, source.location(), "day " + day + " is not published", null);
                org.apache.hadoop.fs.Path from = new org.apache.hadoop.fs.Path(source.root, source.column + "=" + day);
                org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(staging, column + "=" + day);
                fs.mkdirs(to);
                for (FileStatus f : fs.listStatus(from)) {
                    String n = f.getPath().getName();
                    if (n.startsWith("_") || n.startsWith(".") || !f.isFile()) continue;
                    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(to, n);
                    if ("file".equals(fs.getUri().getScheme())) {
                        java.nio.file.Files.createLink(java.nio.file.Path.of(target.toUri()), java.nio.file.Path.of(f.getPath().toUri()));
                    } else {
                        org.apache.hadoop.fs.FileUtil.copy(fs, f.getPath(), fs, target, false, spark.sparkContext().hadoopConfiguration());
                    }
                }
                writeMarker(fs, to, new PartitionMarker(fingerprint.apply(day), m.rows(), now, runId));
            }
            for (LocalDate day : days) {
                swapIn(fs, new org.apache.hadoop.fs.Path(staging, column + "=" + day), new org.apache.hadoop.fs.Path(root, column + "=" + day));
            }
            fs.delete(staging, true);
        } catch (IOException e) {
            throw new DatasetException(name, root.toString(), "publishing copies of " + source.name + " failed: " + e.getMessage(), e);
        }
    }

    /** Rows a day holds per its marker, or -1 when it is not published. */
    public long rows(LocalDate day) {
        PartitionMarker m = markers().get(day);
        return m == null ? -1 : m.rows();
    }

    private void swapIn(FileSystem fs, org.apache.hadoop.fs.Path staged, org.apache.hadoop.fs.Path target) throws IOException {
        org.apache.hadoop.fs.Path aside = null;
        if (fs.exists(target)) {
            aside = new org.apache.hadoop.fs.Path(root, "_old-" + target.getName() + "-" + UUID.randomUUID());
            if (!fs.rename(target, aside)) throw new IOException("cannot move " + target + " aside");
        }
        if (!fs.rename(staged, target)) throw new IOException("cannot publish " + staged + " as " + target);
        if (aside != null) fs.delete(aside, true);
    }

    /** Undoes what a crash left: restores a day moved aside but never replaced, drops abandoned staging. */
    private void recover(FileSystem fs) throws IOException {
        if (fs.exists(root.getParent())) {
            for (FileStatus st : fs.listStatus(root.getParent())) {
                if (st.getPath().getName().startsWith(root.getName() + ".staging-")) fs.delete(st.getPath(), true);
            }
        }
        if (!fs.exists(root)) return;
        for (FileStatus st : fs.listStatus(root)) {
            String dir = st.getPath().getName();
            if (dir.startsWith("_old-")) {
                String day = dir.substring("_old-".length(), dir.length() - 37); // strip "-<uuid>"
                org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root, day);
                if (!fs.exists(target)) fs.rename(st.getPath(), target);
                else fs.delete(st.getPath(), true);
            }
        }
    }

    private static void writeMarker(FileSystem fs, org.apache.hadoop.fs.Path dir, PartitionMarker marker) throws IOException {
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(dir, PartitionMarker.FILE), true)) {
            out.write(Json.write(marker).getBytes(StandardCharsets.UTF_8));
        }
    }

    private FileSystem fs() throws IOException {
        return root.getFileSystem(spark.sparkContext().hadoopConfiguration());
    }

    static LocalDate toLocalDate(Object value) {
        if (value instanceof java.sql.Date d) return d.toLocalDate();
        if (value instanceof LocalDate d) return d;
        return LocalDate.parse(String.valueOf(value));
    }

    /** The day column for a timestamp column: {@code to_date(ts)}. */
    public static org.apache.spark.sql.Column dayOf(String timestampColumn) {
        return functions.to_date(functions.col(timestampColumn));
    }
}
