package dev.treeline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.S3Settings;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.s3.ChampionPointer;
import dev.treeline.registry.s3.Manifest;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.testing.LocalStackFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Against the real S3 API of the local stack (S3Proxy). */
class S3PublisherTest {
    @TempDir Path tmp;

    @Test
    void publishesFilesThenManifestThenPointerAndIsANoOpTheSecondTime() throws Exception {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        String model = "pub-" + UUID.randomUUID().toString().substring(0, 8);
        Path v1 = bundle("v1");
        try (S3Client s3 = S3Clients.create(env.s3())) {
            S3Publisher pub = new S3Publisher(s3, LocalStack.DEFAULT_BUCKET, "models", env.s3());
            S3Publisher.Result r = pub.publishVersion(v1, model, "1", "run1", Map.of("k", "v"), Map.of("auc", 0.7));
            assertTrue(r.uploaded());
            assertTrue(pub.pointer(model).isEmpty(), "publishing a version does not point serving at it");
            assertTrue(pub.pointChampion(model, "1"));
            Manifest m = Json.MAPPER.readValue(pub.get("models/" + model + "/1/manifest.json"), Manifest.class);
            assertEquals(2, m.files().size());
            for (Manifest.FileEntry f : m.files()) {
                byte[] object = pub.get("models/" + model + "/1/" + f.path());
                assertEquals(f.sha256(), Hashing.sha256(object), f.path());
                assertEquals(f.size(), object.length);
            }
            ChampionPointer p = pub.pointer(model).orElseThrow();
            assertEquals("1", p.version());
            assertEquals(Hashing.sha256(pub.get("models/" + model + "/1/manifest.json")), p.manifestSha256());

            assertEquals(0.7, m.metrics().get("auc"));
            S3Publisher.Result again = pub.publishVersion(v1, model, "1", "run1", Map.of("k", "v"), Map.of());
            assertFalse(again.uploaded(), "same bytes: nothing uploaded");
            assertEquals(r.manifestSha256(), again.manifestSha256());
            assertFalse(pub.pointChampion(model, "1"), "already pointing there");

            Files.writeString(v1.resolve("model.ubj"), "changed");
            TreelineException e = assertThrows(TreelineException.class, () -> pub.publishVersion(v1, model, "1", "run1", Map.of(), Map.of()));
            assertTrue(e.getMessage().contains("published versions are immutable"), e.getMessage());
            assertEquals("1", pub.pointer(model).orElseThrow().version(), "the pointer did not move");

            TreelineException unpublished = assertThrows(TreelineException.class, () -> pub.pointChampion(model, "2"));
            assertTrue(unpublished.getMessage().contains("version 2 is not published"), unpublished.getMessage());
            pub.publishVersion(bundle("v2"), model, "2", "run2", Map.of(), Map.of());
            assertTrue(pub.pointChampion(model, "2"));
            assertEquals("2", pub.pointer(model).orElseThrow().version());
            assertEquals(List.of(), pub.download(model, "2", tmp.resolve("dl")));
            assertEquals("booster v2", Files.readString(tmp.resolve("dl/model.ubj")));
        }
    }

    @Test
    void aManifestPathThatClimbsOutAndAModelNameWithDotDotAreRefused() throws Exception {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        String model = "planted-" + UUID.randomUUID().toString().substring(0, 8);
        try (S3Client s3 = S3Clients.create(env.s3())) {
            S3Publisher pub = new S3Publisher(s3, LocalStack.DEFAULT_BUCKET, "models", env.s3());
            pub.publishVersion(bundle("v1"), model, "1", "run1", Map.of(), Map.of());
            // Someone with write access to the bucket plants a manifest whose file escapes the download directory.
            String key = "models/" + model + "/1/manifest.json";
            ObjectNode manifest = (ObjectNode) Json.MAPPER.readTree(pub.get(key));
            ((ObjectNode) manifest.withArray("files").get(0)).put("path", "../../escaped.txt");
            s3.putObject(b -> b.bucket(LocalStack.DEFAULT_BUCKET).key(key), RequestBody.fromBytes(Json.MAPPER.writeValueAsBytes(manifest)));
            Path target = tmp.resolve("dl").resolve("inner");
            TreelineException e = assertThrows(TreelineException.class, () -> pub.download(model, "1", target));
            assertTrue(e.getMessage().startsWith("s3://" + LocalStack.DEFAULT_BUCKET + "/" + key + " names the path '../../escaped.txt', which leaves "
                    + "the directory it belongs in"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("escaped.txt")), "nothing written outside the target");
            assertFalse(Files.exists(tmp.resolve("dl").resolve("escaped.txt")));

            for (String bad : List.of("x/..", "../x", "a b", "..")) {
                TreelineException n = assertThrows(TreelineException.class, () -> pub.pointer(bad), bad);
                assertTrue(n.getMessage().startsWith("model name '" + bad + "' is not allowed"), n.getMessage());
            }
            assertThrows(TreelineException.class, () -> pub.versionPrefix(model, "1/../2"));
        }
    }

    @Test
    void missingBucketNamesTheBucketAndTheFix() throws Exception {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        try (S3Client s3 = S3Clients.create(env.s3())) {
            S3Publisher pub = new S3Publisher(s3, "no-such-bucket-here", "", env.s3());
            Path b = bundle("x");
            TreelineException e = assertThrows(TreelineException.class, () -> pub.publishVersion(b, "m", "1", "r", Map.of(), Map.of()));
            assertEquals("bucket 'no-such-bucket-here' does not exist; create it (infra/terraform on AWS; 'treeline local up' creates it on the local stack) or set the push step's params.bucket",
                    e.getMessage());
        }
    }

    @Test
    void everyPutCarriesTheConfiguredServerSideEncryption() throws Exception {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        assertEquals(S3Settings.SSE_NONE, env.s3().sse(), "the local stack's S3Proxy refuses SSE headers, so none are sent to it");
        try (S3Client s3 = S3Clients.create(env.s3())) {
            // S3Proxy answers 501 to an SSE header: proof that SSE-S3 and SSE-KMS requests carry it.
            for (S3Publisher pub : List.of(new S3Publisher(s3, LocalStack.DEFAULT_BUCKET, "sse", S3Settings.SSE_S3, null),
                    new S3Publisher(s3, LocalStack.DEFAULT_BUCKET, "sse", S3Settings.SSE_KMS, "arn:aws:kms:us-east-1:111122223333:key/test"))) {
                Path b = bundle("sse");
                TreelineException e = assertThrows(TreelineException.class, () -> pub.publishVersion(b, "m", "1", "r", Map.of(), Map.of()));
                assertTrue(e.getMessage().contains("Server-side encryption is not supported"), e.getMessage());
            }
        }
    }

    Path bundle(String content) throws java.io.IOException {
        Path dir = Files.createDirectories(tmp.resolve("b-" + content + "-" + UUID.randomUUID()).resolve("feature_pipeline"));
        Files.writeString(dir.getParent().resolve("model.ubj"), "booster " + content);
        Files.writeString(dir.resolve("meta.json"), "{\"v\":\"" + content + "\"}");
        return dir.getParent();
    }
}
