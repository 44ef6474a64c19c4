package dev.treeline.pipelines.ingest.sources;

import dev.treeline.pipelines.util.Hashing;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/** The data files behind a location (a file, a directory or a glob), on any Hadoop file system. */
public record SourceFiles(String location, List<FileStatus> files) {

    public static SourceFiles list(String location, Configuration conf) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem(conf);
        List<FileStatus> out = new ArrayList<>();
        FileStatus[] matches = fs.globStatus(p);
        if (matches != null) {
            for (FileStatus m : matches) {
                if (m.isFile()) {
                    if (visible(m.getPath())) out.add(m);
                } else {
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
                    while (it.hasNext()) {
                        LocatedFileStatus f = it.next();
                        if (visibleUnder(m.getPath(), f.getPath())) out.add(f);
                    }
                }
            }
        }
        out.sort(Comparator.comparing(f -> f.getPath().toString()));
        return new SourceFiles(location, out);
    }

    public boolean isEmpty() {
        return files.isEmpty();
    }

    /** Paths, sizes and modification times: changes when a file is added, replaced or removed. */
    public String fingerprint() {
        StringBuilder b = new StringBuilder();
        for (FileStatus f : files) b.append(f.getPath()).append('|').append(f.getLen()).append('|').append(f.getModificationTime()).append('\n');
        return files.isEmpty() ? "none" : Hashing.sha256(b.toString()).substring(0, 16);
    }

    public List<String> paths() {
        return files.stream().map(f -> f.getPath().toString()).toList();
    }

    private static boolean visible(Path p) {
        String n = p.getName();
        return !n.startsWith("_") && !n.startsWith(".");
    }

    private static boolean visibleUnder(Path root, Path file) {
        for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
            if (!visible(p)) return false;
        }
        return true;
    }
}
