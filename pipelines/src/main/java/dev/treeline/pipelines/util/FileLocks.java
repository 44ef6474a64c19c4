package dev.treeline.pipelines.util;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive locks on a lock file, across processes (OS file lock) and across threads of this JVM
 * (the OS lock is per process, so a JVM-wide lock sits in front of it).
 */
public final class FileLocks {
    private static final Map<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private FileLocks() {}

    /** A held lock; close to release. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for the lock. */
    public static Held acquire(Path lockFile) throws IOException {
        return take(lockFile, true);
    }

    /** Returns null when someone else holds the lock. */
    public static Held tryAcquire(Path lockFile) throws IOException {
        return take(lockFile, false);
    }

    private static Held take(Path lockFile, boolean wait) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock local = LOCAL.computeIfAbsent(key, k -> new ReentrantLock());
        if (wait) local.lock();
        else if (!local.tryLock()) return null;
        try {
            Files.createDirectories(key.getParent());
            FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = wait ? channel.lock() : channel.tryLock();
            if (lock == null) {
                channel.close();
                local.unlock();
                return null;
            }
            return () -> {
                try {
                    lock.release();
                    channel.close();
                } catch (IOException ignored) {
                    // closing the channel releases the OS lock anyway
                } finally {
                    local.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            local.unlock();
            throw e;
        }
    }
}
