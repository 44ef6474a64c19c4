package dev.treeline.pipelines.catalog;

import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * The few file operations partitions need, on the local file system through java.nio (one system call
 * each, hard links) and on any other Hadoop file system (s3a, hdfs) through its FileSystem API.
 */
abstract class PartitionFiles {
    abstract boolean exists(Path p) throws IOException;

    abstract void mkdirs(Path p) throws IOException;

    abstract void rename(Path from, Path to) throws IOException;

    abstract void delete(Path p) throws IOException;

    /** Children of a directory: name and whether it is a directory. */
    abstract List<Entry> list(Path dir) throws IOException;

    /** Makes {@code to} hold the bytes of {@code from}: a hard link where possible. */
    abstract void linkOrCopy(Path from, Path to) throws IOException;

    abstract PartitionMarker readMarker(Path dayDir) throws IOException;

    abstract void writeMarker(Path dayDir, PartitionMarker marker) throws IOException;

    /** The bytes of a small file, or null when it does not exist. */
    abstract byte[] read(Path file) throws IOException;

    /** Writes a small file whole: readers see the old bytes or the new, never a part. */
    abstract void write(Path file, byte[] bytes) throws IOException;

    /** Whether a rename is one metadata operation here (not a copy, as on object stores). */
    abstract boolean renameIsCheap();

    record Entry(String name, boolean directory, long modified) {}

    static PartitionFiles of(Path root, Configuration conf) throws IOException {
        FileSystem fs = root.getFileSystem(conf);
        if ("file".equals(fs.getUri().getScheme())) return new Local();
        return new Hadoop(fs, conf);
    }

    static final class Local extends PartitionFiles {
        private static java.nio.file.Path p(Path h) {
            return java.nio.file.Path.of(h.toUri().getPath());
        }

        boolean exists(Path x) {
            return Files.exists(p(x));
        }

        void mkdirs(Path x) throws IOException {
            Files.createDirectories(p(x));
        }

        void rename(Path from, Path to) throws IOException {
            Files.move(p(from), p(to), StandardCopyOption.ATOMIC_MOVE);
        }

        void delete(Path x) throws IOException {
            AtomicFiles.deleteRecursively(p(x));
        }

        List<Entry> list(Path dir) throws IOException {
            List<Entry> out = new ArrayList<>();
            if (!Files.isDirectory(p(dir))) return out;
            try (Stream<java.nio.file.Path> s = Files.list(p(dir))) {
                for (java.nio.file.Path c : s.toList()) {
                    out.add(new Entry(c.getFileName().toString(), Files.isDirectory(c), Files.getLastModifiedTime(c).toMillis()));
                }
            }
            return out;
        }

        void linkOrCopy(Path from, Path to) throws IOException {
            Files.createLink(p(to), p(from));
        }

        PartitionMarker readMarker(Path dayDir) throws IOException {
            try {
                return Json.MAPPER.readValue(Files.readAllBytes(p(dayDir).resolve(PartitionMarker.FILE)), PartitionMarker.class);
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        void writeMarker(Path dayDir, PartitionMarker marker) throws IOException {
            AtomicFiles.write(p(dayDir).resolve(PartitionMarker.FILE), Json.write(marker).getBytes(StandardCharsets.UTF_8));
        }

        byte[] read(Path file) throws IOException {
            try {
                return Files.readAllBytes(p(file));
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        void write(Path file, byte[] bytes) throws IOException {
            AtomicFiles.write(p(file), bytes);
        }

        boolean renameIsCheap() {
            return true;
        }
    }

    static final class Hadoop extends PartitionFiles {
        private final FileSystem fs;
        private final Configuration conf;

        Hadoop(FileSystem fs, Configuration conf) {
            this.fs = fs;
            this.conf = conf;
        }

        boolean exists(Path p) throws IOException {
            return fs.exists(p);
        }

        void mkdirs(Path p) throws IOException {
            fs.mkdirs(p);
        }

        void rename(Path from, Path to) throws IOException {
            if (!fs.rename(from, to)) throw new IOException("cannot rename " + from + " to " + to);
        }

        void delete(Path p) throws IOException {
            fs.delete(p, true);
        }

        List<Entry> list(Path dir) throws IOException {
            List<Entry> out = new ArrayList<>();
            if (!fs.exists(dir)) return out;
            for (FileStatus st : fs.listStatus(dir)) out.add(new Entry(st.getPath().getName(), st.isDirectory(), st.getModificationTime()));
            return out;
        }

        void linkOrCopy(Path from, Path to) throws IOException {
            FileUtil.copy(fs, from, fs, to, false, conf);
        }

        PartitionMarker readMarker(Path dayDir) throws IOException {
            try (InputStream in = fs.open(new Path(dayDir, PartitionMarker.FILE))) {
                return Json.MAPPER.readValue(in, PartitionMarker.class);
            } catch (FileNotFoundException e) {
                return null;
            }
        }

        void writeMarker(Path dayDir, PartitionMarker marker) throws IOException {
            write(new Path(dayDir, PartitionMarker.FILE), Json.write(marker).getBytes(StandardCharsets.UTF_8));
        }

        byte[] read(Path file) throws IOException {
            try (InputStream in = fs.open(file)) {
                return in.readAllBytes();
            } catch (FileNotFoundException e) {
                return null;
            }
        }

        void write(Path file, byte[] bytes) throws IOException {
            if (!renameIsCheap()) {
                // An object store makes an object visible whole when its upload completes.
                try (OutputStream out = fs.create(file, true)) {
                    out.write(bytes);
                }
                return;
            }
            // HDFS shows a file while it is written: write beside it, then replace it in one rename.
            Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp-" + java.util.UUID.randomUUID());
            try (OutputStream out = fs.create(tmp, false)) {
                out.write(bytes);
            }
            FileContext.getFileContext(fs.getUri(), conf).rename(tmp, file, Options.Rename.OVERWRITE);
        }

        boolean renameIsCheap() {
            return !OBJECT_STORES.contains(fs.getUri().getScheme());
        }
    }

    /** Schemes whose rename copies every byte and is not atomic. */
    private static final java.util.Set<String> OBJECT_STORES = java.util.Set.of("s3a", "s3", "s3n", "gs", "abfs", "abfss", "wasb", "wasbs", "oss", "cos", "cosn", "obs");
}
