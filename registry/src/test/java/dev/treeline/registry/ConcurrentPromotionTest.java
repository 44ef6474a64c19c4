package dev.treeline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.mlflow.MlflowRegistry;
import dev.treeline.registry.mlflow.MlflowTracking;
import dev.treeline.registry.review.Approval;
import dev.treeline.registry.review.GateResult;
import dev.treeline.registry.review.ModelLifecycle;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.steps.RegistryTags;
import dev.treeline.registry.testing.LocalStackFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Two promoters of one model at the same moment (a backfill's two runs, a person at the command line during a
 * run), against the real MLflow and S3 API: decisions are taken one at a time under the model's lock, so the
 * champion alias and champion.json name the same version and the first winner keeps alias previous.
 */
class ConcurrentPromotionTest {
    @TempDir Path tmp;

    @Test
    void twoPromotersAtOnceLeaveAliasAndChampionJsonAgreeingAndKeepPrevious() throws Exception {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        String model = "race-" + UUID.randomUUID().toString().substring(0, 8);
        try (MlflowConnection mlflow = new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE); S3Client s3 = S3Clients.create(env.s3())) {
            S3Publisher publisher = new S3Publisher(s3, LocalStack.DEFAULT_BUCKET, "models", env.s3());
            for (int i = 1; i <= 3; i++) version(mlflow, tmp, model, i);
            lifecycle(mlflow, publisher).promote(model, "1", "first champion", true);

            for (int round = 0; round < 3; round++) {
                List<String> contenders = round % 2 == 0 ? List.of("2", "3") : List.of("3", "2");
                String before = mlflow.registry().aliases(model).get(RegistryTags.CHAMPION);
                CyclicBarrier together = new CyclicBarrier(2);
                ExecutorService pool = Executors.newFixedThreadPool(2);
                List<Future<String>> done = new ArrayList<>();
                for (String v : contenders) {
                    // Each promoter with its own connections, as two processes would have.
                    done.add(pool.submit(() -> {
                        try (MlflowConnection own = new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE)) {
                            ModelLifecycle l = lifecycle(own, publisher);
                            together.await();
                            return l.promote(model, v, "round", true);
                        }
                    }));
                }
                Set<String> replaced = new HashSet<>();
                for (Future<String> f : done) replaced.add(f.get());
                pool.shutdown();

                Map<String, String> aliases = mlflow.registry().aliases(model);
                String champion = aliases.get(RegistryTags.CHAMPION);
                assertEquals(champion, publisher.pointer(model).orElseThrow().version(), "MLflow and serving agree: " + aliases);
                // One at a time: the second promoter replaced the first's winner, which keeps alias previous.
                String loser = contenders.stream().filter(v -> !v.equals(champion)).findFirst().orElseThrow();
                if (!loser.equals(before)) {
                    assertEquals(loser, aliases.get(RegistryTags.PREVIOUS), "round " + round + ": " + aliases + ", replaced " + replaced);
                    assertTrue(replaced.contains(loser), "the second promotion saw the first one's champion: " + replaced);
                }
            }
        }
    }

    ModelLifecycle lifecycle(MlflowConnection mlflow, S3Publisher publisher) {
        return ModelLifecycle.forUser(tmp.resolve("ws"), mlflow, publisher, tmp.resolve("scratch"));
    }

    /** A registered version that passed the gate and is approved, with two small files as its model. */
    static void version(MlflowConnection mlflow, Path tmp, String model, int i) throws Exception {
        Tracker run = new MlflowTracking(mlflow).start(model, "v" + i, Map.of());
        Path dir = Files.createDirectories(tmp.resolve("bundle-" + i));
        Files.writeString(dir.resolve("model.ubj"), "booster " + i);
        Files.writeString(dir.resolve("treeline-model.json"), "{\"version\": " + i + "}");
        run.logArtifacts(dir, "model");
        run.end(true);
        MlflowRegistry registry = mlflow.registry();
        registry.ensureModel(model, "race");
        String artifactUri = mlflow.rest().get("runs/get", Map.of("run_id", run.runId())).path("run").path("info").path("artifact_uri").asText();
        ModelRef v = registry.createVersion(model, artifactUri + "/model", run.runId(), Map.of(RegistryTags.VALIDATION_STATUS, GateResult.PASSED,
                RegistryTags.APPROVAL_STATUS, Approval.Approved.name()), "v" + i);
        assertEquals(Integer.toString(i), v.version());
    }
}
