package dev.treeline.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.testing.LocalStackFixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Uploads to the local stack's S3 API survive a busy machine. The failure this guards against: S3Proxy
 * answers a PutObject as soon as it has read the object's bytes and closes the connection, while a
 * client that sends the body as aws-chunked with a checksum trailer is still writing the last chunk
 * and the trailer; the client then fails with "Error writing request body to server" although the
 * object was stored, and every retry races the same way. Busy threads stretch the gaps between the
 * client's writes the way a loaded CI machine does.
 */
class S3UploadsUnderLoadTest {
    @TempDir Path tmp;

    @Test
    void concurrentPutsOnABusyMachineAllSucceedAndReadBack() throws Exception {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        String prefix = "load-" + UUID.randomUUID().toString().substring(0, 8) + "/";
        AtomicBoolean busy = new AtomicBoolean(true);
        List<Thread> burners = new ArrayList<>();
        for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (busy.get()) x += System.nanoTime() % 7;
                if (x == 42) System.out.print("");
            });
            t.setDaemon(true);
            t.start();
            burners.add(t);
        }
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        int writers = 4;
        int perWriter = 40;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try (S3Client s3 = S3Clients.create(env.s3())) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    Random random = new Random(writer);
                    for (int i = 0; i < perWriter; i++) {
                        byte[] bytes = new byte[1000 + random.nextInt(40_000)];
                        random.nextBytes(bytes);
                        String key = prefix + writer + "/" + i;
                        try {
                            s3.putObject(b -> b.bucket(LocalStack.DEFAULT_BUCKET).key(key), RequestBody.fromBytes(bytes));
                            byte[] back = s3.getObjectAsBytes(b -> b.bucket(LocalStack.DEFAULT_BUCKET).key(key)).asByteArray();
                            assertArrayEquals(bytes, back, key);
                        } catch (RuntimeException | AssertionError e) {
                            failures.add(key + ": " + e.getMessage());
                        }
                    }
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            busy.set(false);
            pool.shutdown();
        }
        assertEquals(List.of(), new ArrayList<>(failures), "uploads that failed");
    }
}
