package dev.treeline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.s3.ChampionPointer;
import dev.treeline.registry.s3.Manifest;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.testing.LocalStackFixture;
import dev.treeline.registry.testing.PushMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** A push killed with SIGKILL halfway through its uploads leaves serving on the previous version; a rerun completes it. */
class PushKillTest {
    @TempDir Path tmp;

    @Test
    void aPushKilledMidwayLeavesChampionJsonUnchangedAndARerunCompletesIt() throws Exception {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        String model = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        try (S3Client s3 = S3Clients.create(env.s3())) {
            S3Publisher pub = new S3Publisher(s3, LocalStack.DEFAULT_BUCKET, "k", env.s3());
            pub.publishVersion(bundle("v1", 3), model, "1", "run-1", Map.of(), Map.of());
            pub.pointChampion(model, "1");
            byte[] pointerBefore = pub.get(pub.pointerKey(model));

            Path v2 = bundle("v2", 8);
            Process p = push(env, model, v2, 4);
            String line = firstLine(p);
            assertEquals("PAUSED after 4 objects", line);
            p.destroyForcibly(); // SIGKILL on Linux
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), "killed by SIGKILL");

            assertEquals(new String(pointerBefore), new String(pub.get(pub.pointerKey(model))), "champion.json is byte for byte unchanged");
            assertTrue(pub.published(model, "2").isEmpty(), "no manifest: version 2 is not published");
            List<String> partial = pub.keys(pub.versionPrefix(model, "2"));
            assertEquals(4, partial.size(), "the killed push wrote some files: " + partial);

            Process rerun = push(env, model, v2, 0);
            assertEquals("DONE", firstLine(rerun));
            assertTrue(rerun.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, rerun.exitValue());
            ChampionPointer after = pub.pointer(model).orElseThrow();
            assertEquals("2", after.version());
            Manifest m = pub.published(model, "2").orElseThrow().getKey();
            assertEquals(8, m.files().size());
            assertEquals(List.of(), pub.download(model, "2", tmp.resolve("check")), "every object matches the manifest");
        }
    }

    private Process push(Environment env, String model, Path dir, int pauseAfter) throws Exception {
        Path creds = tmp.resolve("creds-" + UUID.randomUUID());
        Files.write(creds, List.of(env.s3().accessKeyId(), env.s3().secretAccessKey()));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), PushMain.class.getName(), env.s3().endpoint(), env.s3().region(), creds.toString(),
                LocalStack.DEFAULT_BUCKET, "k", model, "2", dir.toString(), Integer.toString(pauseAfter)));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String firstLine(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("PAUSED") || line.equals("DONE")) return line;
        }
        return null;
    }

    private Path bundle(String name, int files) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (int i = 0; i < files; i++) Files.writeString(dir.resolve("file" + i + ".bin"), name + " content " + i);
        return dir;
    }
}
