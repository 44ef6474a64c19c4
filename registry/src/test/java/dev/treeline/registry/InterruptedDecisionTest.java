package dev.treeline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.mlflow.MlflowRegistry;
import dev.treeline.registry.review.ModelLifecycle;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.steps.RegistryTags;
import dev.treeline.registry.testing.LocalStackFixture;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A promotion or rollback killed between its MLflow alias moves and {@code champion.json}, against the real
 * MLflow and S3 API. Each test puts the registry in exactly the state the kill leaves (the aliases moved,
 * serving not), then shows the next decision, or the rerun, converging: MLflow's champion is what serving loads.
 */
class InterruptedDecisionTest {
    @TempDir Path tmp;

    @Test
    void aPromotionKilledBetweenTheAliasAndChampionJsonConvergesOnTheModelsNextDecision() throws Exception {
        try (Stack s = new Stack()) {
            s.lifecycle().promote(s.model, "1", "first", true);
            // Killed after moving the aliases to version 2 (published already), before champion.json.
            s.lifecycle().publishVersion(s.registry().version(s.model, "2"));
            s.registry().setAlias(s.model, RegistryTags.PREVIOUS, "1");
            s.registry().setAlias(s.model, RegistryTags.CHAMPION, "2");
            assertEquals("1", s.serving(), "the disagreement a kill leaves");

            // Any decision on the model, here a rejection of another version, first re-points serving at MLflow's champion.
            s.lifecycle().reject(s.model, "3", "not this one");
            assertEquals("2", s.serving());
            assertEquals("1", s.registry().aliases(s.model).get(RegistryTags.PREVIOUS), "previous is kept");
        }
    }

    @Test
    void aRollbackKilledAfterMovingTheChampionAliasIsFinishedByItsRerun() throws Exception {
        try (Stack s = new Stack()) {
            s.lifecycle().promote(s.model, "1", "first", true);
            s.lifecycle().promote(s.model, "2", "second", true);
            // Killed after marking version 2 and moving champion back to 1, before deleting previous and re-pointing serving.
            s.registry().setVersionTag(s.model, "2", RegistryTags.ROLLED_BACK_AT, "2026-12-05T00:00:00Z");
            s.registry().setAlias(s.model, RegistryTags.CHAMPION, "1");
            assertEquals("2", s.serving());

            assertNull(s.lifecycle().rollback(s.model, "again"), "the rerun completes the interrupted rollback");
            assertEquals("1", s.registry().aliases(s.model).get(RegistryTags.CHAMPION));
            assertFalse(s.registry().aliases(s.model).containsKey(RegistryTags.PREVIOUS), "previous is used up, not left naming the champion");
            assertEquals("1", s.serving());
            assertFalse(s.registry().version(s.model, "1").tags().containsKey(RegistryTags.ROLLED_BACK_AT), "the restored version is not marked rolled back");
            assertTrue(s.registry().version(s.model, "2").tags().containsKey(RegistryTags.ROLLED_BACK_AT));
        }
    }

    @Test
    void aRollbackKilledBeforeChampionJsonLeavesServingRepointedByTheRerun() throws Exception {
        try (Stack s = new Stack()) {
            s.lifecycle().promote(s.model, "1", "first", true);
            s.lifecycle().promote(s.model, "2", "second", true);
            // Killed after both alias moves, before champion.json.
            s.registry().setAlias(s.model, RegistryTags.CHAMPION, "1");
            s.registry().deleteAlias(s.model, RegistryTags.PREVIOUS);
            assertEquals("2", s.serving());

            TreelineException e = assertThrows(TreelineException.class, () -> s.lifecycle().rollback(s.model, "again"));
            assertTrue(e.getMessage().contains("has no alias 'previous' to roll back to (champion is version 1)"), e.getMessage());
            assertEquals("1", s.serving(), "serving follows MLflow's champion before the rerun is refused");
        }
    }

    /** Three gated, approved versions of a fresh model on the local stack. */
    final class Stack implements AutoCloseable {
        final String model = "interrupted-" + UUID.randomUUID().toString().substring(0, 8);
        final MlflowConnection mlflow;
        final S3Client s3;
        final S3Publisher publisher;

        Stack() throws Exception {
            Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
            mlflow = new MlflowConnection(env.mlflowUri(), MlflowCredentials.NONE);
            s3 = S3Clients.create(env.s3());
            publisher = new S3Publisher(s3, LocalStack.DEFAULT_BUCKET, "models", env.s3());
            for (int i = 1; i <= 3; i++) ConcurrentPromotionTest.version(mlflow, tmp, model, i);
        }

        ModelLifecycle lifecycle() {
            return ModelLifecycle.forUser(tmp.resolve("ws"), mlflow, publisher, tmp.resolve("scratch"));
        }

        MlflowRegistry registry() {
            return mlflow.registry();
        }

        String serving() {
            return publisher.pointer(model).orElseThrow().version();
        }

        @Override
        public void close() {
            s3.close();
            mlflow.close();
        }
    }
}
