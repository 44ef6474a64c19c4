package dev.treeline.registry.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.step.StopSignal;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** A lifecycle whose run was given up on makes no decision and publishes nothing: it stops before talking to anyone. */
class ModelLifecycleStopTest {
    @TempDir Path tmp;

    @Test
    void everyDecisionAsksTheStopSignalFirst() {
        // Port 1: any call that reached for MLflow would fail differently (unreachable), not with exit 130.
        MlflowConnection nowhere = new MlflowConnection("http://127.0.0.1:1", MlflowCredentials.NONE);
        ModelLifecycle lifecycle = new ModelLifecycle(nowhere, null, new AuditLog(tmp, null), tmp, "test", () -> "step promote exceeded its deadline of 60 s", tmp);
        for (Executable call : List.<Executable>of(
                () -> lifecycle.approve("m", "1", null), () -> lifecycle.reject("m", "1", null), () -> lifecycle.promote("m", "1", null, true),
                () -> lifecycle.rollback("m", null), () -> lifecycle.abStart("m", "2", 10, null), () -> lifecycle.abStop("m", false, null))) {
            TreelineException e = assertThrows(TreelineException.class, call);
            assertEquals(ExitCode.INTERRUPTED, e.exitCode(), e.getMessage());
            assertEquals(" (step promote exceeded its deadline of 60 s)", e.getMessage().substring(e.getMessage().indexOf(" (")));
        }
        assertFalse(Files.exists(tmp.resolve("audit")), "nothing audited");
        assertEquals(null, StopSignal.NEVER.reason());
    }
}
