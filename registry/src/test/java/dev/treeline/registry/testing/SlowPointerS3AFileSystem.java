package dev.treeline.registry.testing;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import org.apache.hadoop.util.Progressable;

/**
 * The real s3a file system, which announces each pointer ({@code _treeline.json}) it is about to write
 * on stdout and then takes a second over it: a test reading the announcements can SIGKILL the writer
 * between two pointers of one publish, every time, with all I/O still going to the real S3 API.
 */
public class SlowPointerS3AFileSystem extends S3AFileSystem {
    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication, long blockSize,
                                     Progressable progress) throws IOException {
        if (f.getName().equals("_treeline.json")) {
            System.out.println("POINTER " + f);
            System.out.flush();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
    }
}
