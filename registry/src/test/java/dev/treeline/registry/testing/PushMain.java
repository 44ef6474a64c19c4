package dev.treeline.registry.testing;

import dev.treeline.pipelines.env.S3Settings;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Publishes a version and points champion.json at it, in its own JVM so that a test can SIGKILL it.
 * With a pause count N, it stops after N objects are written, prints PAUSED and waits to be killed.
 * Args: endpoint, region, access key file (key and secret, one per line), bucket, prefix, model, version, dir, pause count.
 */
public final class PushMain {
    public static void main(String[] a) throws Exception {
        java.util.List<String> creds = java.nio.file.Files.readAllLines(Path.of(a[2]));
        S3Settings settings = new S3Settings(a[0], a[1], creds.get(0), creds.get(1), S3Settings.SSE_NONE, null);
        int pauseAfter = Integer.parseInt(a[8]);
        S3Client real = S3Clients.create(settings);
        AtomicInteger puts = new AtomicInteger();
        S3Client s3 = (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class}, (proxy, m, args) -> {
            if (m.getName().equals("putObject") && pauseAfter > 0 && puts.get() >= pauseAfter) {
                System.out.println("PAUSED after " + puts.get() + " objects");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            try {
                Object r = m.invoke(real, args);
                if (m.getName().equals("putObject")) puts.incrementAndGet();
                return r;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        S3Publisher pub = new S3Publisher(s3, a[3], a[4], settings);
        pub.publishVersion(Path.of(a[7]), a[5], a[6], "run-" + a[6], Map.of(), Map.of());
        pub.pointChampion(a[5], a[6]);
        System.out.println("DONE");
        System.exit(0);
    }
}
