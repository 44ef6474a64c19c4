package dev.treeline.pipelines.catalog;

import dev.treeline.pipelines.env.RunDir;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.DidYouMean;
import dev.treeline.pipelines.util.FileLocks;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import dev.treeline.pipelines.util.Messages;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Owns every read and write of a pipeline's datasets. Locations come from the spec's {@code datasets:}
 * or default to the workspace: day-partitioned datasets are shared by all runs of the pipeline
 * ({@code <workspace>/data/<pipeline>/<name>}), the others belong to one run ({@code <run dir>/data/<name>}).
 * Tables and day partitions are published by a pointer written last ({@link DatasetVersions}); JSON
 * records and directories, which are local and run-scoped, by rename.
 */
public final class Catalog {
    private final SparkSession spark;
    private final PipelineSpec spec;
    private final Path workspace;
    private final Path runDir;
    private final String runId;

    public Catalog(SparkSession spark, PipelineSpec spec, Path workspace, Path runDir, String runId) {
        this.spark = spark;
        this.spec = spec;
        this.workspace = workspace;
        this.runDir = runDir;
        this.runId = runId;
    }

    public SparkSession spark() {
        return spark;
    }

    public DatasetSpec spec(String name) {
        DatasetSpec ds = spec.dataset(name);
        if (ds != null) return ds;
        throw new IllegalArgumentException("unknown dataset '" + name + "'" + DidYouMean.hint(name, spec.datasets().keySet()));
    }

    /** The dataset's location as a URI string ({@code file:/...}, {@code s3a://...}). */
    public String location(String name) {
        DatasetSpec ds = spec(name);
        if (ds.path() != null) return resolve(ds.path());
        Path local = ds.isPartitioned()
                ? Workspace.at(workspace).data().resolve(spec.name()).resolve(name)
                : new RunDir(runDir).dataset(name, ds.format().equals("json"));
        return local.toAbsolutePath().toUri().toString();
    }

    /** A path from the spec as a URI string: URIs as they are, relative paths against the spec's directory. */
    public String resolve(String path) {
        if (path.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") || path.startsWith("file:")) return path;
        Path p = Path.of(path);
        if (!p.isAbsolute() && spec.file() != null && spec.file().toAbsolutePath().getParent() != null) {
            p = spec.file().toAbsolutePath().getParent().resolve(p);
        }
        return p.toAbsolutePath().normalize().toUri().toString();
    }

    public boolean exists(String name) {
        DatasetSpec ds = spec(name);
        if (ds.isPartitioned()) return true; // partitions are judged one by one through their markers
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location(name));
            return fs(p).exists(p);
        } catch (IOException e) {
            return false;
        }
    }

    // ---- tables -------------------------------------------------------------------------------

    public Dataset<Row> read(String name) {
        String location = location(name);
        DatasetSpec ds = spec(name);
        try {
            return switch (ds.format()) {
                case "parquet" -> spark.read().parquet(tableData(location));
                default -> throw new IllegalArgumentException("dataset '" + name + "' is " + ds.format() + ", not a table");
            };
        } catch (IOException e) {
            throw new DatasetException(name, location, "cannot read its pointer: " + e.getMessage(), e);
        } catch (Exception e) {
            // Spark's AnalysisException is checked in Java's eyes but undeclared in Scala.
            if (!(e instanceof AnalysisException)) throw (RuntimeException) e;
            String problem = e.getMessage() != null && e.getMessage().contains("PATH_NOT_FOUND")
                    ? "does not exist; check datasets." + name + ".path in " + spec.file()
                    : "cannot be read: " + Messages.firstLine(e.getMessage());
            throw new DatasetException(name, location, problem, e);
        }
    }

    /**
     * Replaces the whole table: the rows go into a new version under the table's root, then the table's
     * pointer moves to it in one small write ({@link DatasetVersions}); no rename, so a kill at any moment
     * leaves the old table readable, on object stores too.
     */
    public void write(String name, Dataset<Row> rows) {
        String location = location(name);
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(location);
        String id = DatasetVersions.newId();
        try {
            PartitionFiles files = PartitionFiles.of(root, hadoopConf());
            DatasetVersions versions = new DatasetVersions(files, root);
            versions.open(id);
            String data = DatasetVersions.path(id, null);
            try {
                rows.write().mode(SaveMode.ErrorIfExists).parquet(versions.resolve(data).toString());
            } catch (Exception e) { // Spark throws its checked SparkException undeclared
                versions.abandon(id);
                throw e;
            }
            try (FileLocks.Held lock = FileLocks.acquire(Workspace.at(workspace).datasetLock(spec.name(), name))) {
                TablePointer old = tablePointer(files, root);
                versions.supersede(id, List.of(old != null ? old.data() : IN_PLACE));
                files.write(new org.apache.hadoop.fs.Path(root, TablePointer.FILE),
                        Json.write(new TablePointer(data, java.time.Instant.now().toString(), runId)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                versions.close(id);
                versions.collect(id, new DatasetVersions.Pointers() {
                    public List<String> dataPaths(String versionId) {
                        return List.of(DatasetVersions.path(versionId, null));
                    }

                    public boolean referenced(String path) throws IOException {
                        TablePointer now = tablePointer(files, root);
                        return path.equals(now != null ? now.data() : IN_PLACE);
                    }
                });
            }
        } catch (IOException e) {
            throw new DatasetException(name, location, "write failed: " + e.getMessage(), e);
        }
    }

    /** A table's data as an earlier Treeline wrote it, or as a source arrives: the files at its root. */
    private static final String IN_PLACE = ".";

    /** Where a table's rows are: the version its pointer names, else its root. */
    private String tableData(String location) throws IOException {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(location);
        TablePointer p = tablePointer(PartitionFiles.of(root, hadoopConf()), root);
        return p == null ? location : new org.apache.hadoop.fs.Path(root, p.data()).toString();
    }

    private static TablePointer tablePointer(PartitionFiles files, org.apache.hadoop.fs.Path root) throws IOException {
        byte[] bytes = files.read(new org.apache.hadoop.fs.Path(root, TablePointer.FILE));
        if (bytes == null) return null;
        TablePointer p = Json.MAPPER.readValue(bytes, TablePointer.class);
        return p.data() == null ? null : p;
    }

    public PartitionedDataset partitioned(String name) {
        DatasetSpec ds = spec(name);
        if (!ds.isPartitioned()) throw new IllegalArgumentException("dataset '" + name + "' is not partitioned by day");
        Path lock = Workspace.at(workspace).datasetLock(spec.name(), name);
        return new PartitionedDataset(spark, name, location(name), ds.partitionedBy(), lock, runId);
    }

    /** The day column of a dataset partitioned by day outside any spec. */
    public static final String DAY = "day";

    /**
     * A day-partitioned dataset at a location no spec names (the score command's output), published exactly as
     * a spec's: a version per write, a day visible by its marker written last, writers kept apart by {@code lockFile}.
     */
    public static PartitionedDataset partitionedAt(SparkSession spark, String name, String location, Path lockFile, String runId) {
        return new PartitionedDataset(spark, name, location, DAY, lockFile, runId);
    }

    // ---- small JSON records and directories (run-scoped, local) -------------------------------

    public <T> T readJson(String name, Class<T> type) {
        Path file = localPath(name);
        try {
            return Json.read(file, type);
        } catch (IOException e) {
            throw new DatasetException(name, file.toString(), "cannot be read: " + e.getMessage(), e);
        }
    }

    /** Writes a JSON dataset in one rename; returns its file. */
    public Path writeJson(String name, Object value) {
        Path file = localPath(name);
        try {
            Json.writeAtomically(file, value);
            return file;
        } catch (IOException e) {
            throw new DatasetException(name, file.toString(), "cannot be written: " + e.getMessage(), e);
        }
    }

    /** The local directory of a {@code directory} dataset, for reading. */
    public Path directory(String name) {
        Path dir = localPath(name);
        if (!Files.isDirectory(dir)) throw new DatasetException(name, dir.toString(), "does not exist (the step that writes it has not run)", null);
        return dir;
    }

    /** Lets {@code writer} fill a staging directory, then publishes it as the dataset in one rename. */
    public Path publishDirectory(String name, DirectoryWriter writer) {
        Path target = localPath(name);
        Path staging = target.resolveSibling("." + target.getFileName() + ".staging-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging);
            writer.write(staging);
            AtomicFiles.replaceDirectory(staging, target);
            return target;
        } catch (Exception e) {
            try {
                AtomicFiles.deleteRecursively(staging);
            } catch (IOException ignored) {
                // best effort; a staging directory is never read
            }
            if (e instanceof RuntimeException re) throw re;
            throw new DatasetException(name, target.toString(), "cannot be written: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    public interface DirectoryWriter {
        void write(Path staging) throws Exception;
    }

    private Path localPath(String name) {
        URI uri = URI.create(location(name));
        if (!"file".equals(uri.getScheme())) {
            throw new IllegalArgumentException("dataset '" + name + "' must be on the local file system, not " + uri);
        }
        return Path.of(uri);
    }

    // ---- fingerprints -------------------------------------------------------------------------

    /**
     * Identifies the current content of a dataset from its file listing (paths, sizes, modification
     * times): it changes when files are added, replaced or removed, without reading them.
     */
    public String fingerprint(String name) {
        DatasetSpec ds = spec(name);
        // Day-templated and database sources change by day or at any time: the reading step fingerprints what it reads.
        if (ds.isDayTemplated()) return "per-day:" + ds.path();
        if (ds.format().equals("jdbc")) return "database:" + ds.name();
        String location = location(name);
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(location);
        try {
            FileSystem fs = fs(root);
            List<String> entries = new ArrayList<>();
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
            while (files.hasNext()) {
                LocatedFileStatus f = files.next();
                String rel = f.getPath().toString().substring(Math.min(f.getPath().toString().length(), root.toString().length()));
                // Versions come and go as they are written and collected; the pointers (markers) say what is published.
                if (rel.contains("/.") || rel.contains("/_staging") || rel.startsWith(".") || rel.contains("/" + DatasetVersions.VERSIONS + "/")
                        || rel.contains("/" + DatasetVersions.WRITERS + "/") || rel.contains("/" + DatasetVersions.SUPERSEDED + "/")) continue;
                entries.add(rel + "|" + f.getLen() + "|" + f.getModificationTime());
            }
            entries.sort(Comparator.naturalOrder());
            return Hashing.sha256(String.join("\n", entries)).substring(0, 16);
        } catch (FileNotFoundException e) {
            throw new DatasetException(name, location, "does not exist; check datasets." + name + ".path in " + spec.file(), e);
        } catch (IOException e) {
            throw new DatasetException(name, location, "cannot be listed: " + e.getMessage(), e);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    FileSystem fs(org.apache.hadoop.fs.Path p) throws IOException {
        return p.getFileSystem(hadoopConf());
    }

    private Configuration hadoopConf() {
        return spark.sparkContext().hadoopConfiguration();
    }
}
