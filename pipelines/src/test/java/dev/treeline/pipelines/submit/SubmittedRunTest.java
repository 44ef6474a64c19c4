package dev.treeline.pipelines.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one success rule of a run submitted to a cluster, for treeline run --master and controller.submit alike. */
class SubmittedRunTest {
    static final SparkSubmission.Target TARGET = new SparkSubmission.Target(Path.of("/spark"), "spark://m:7077", "cluster", Path.of("t.jar"), "Main",
            Map.of());

    static SubmittedRun.Ended ended(int exit, String stopped, RunStatus status, String error, boolean fresh, boolean force, String toStep) {
        RunState state = null;
        if (status != null) {
            state = new RunState();
            state.status = status;
            state.error = error;
        }
        var request = new SubmittedRun.RunRequest(Path.of("p.yaml"), Path.of("ws"), null, Map.of(), force, null, toStep);
        return new SubmittedRun.Ended(new SparkSubmission.Result(exit, Duration.ofSeconds(3), stopped), state, fresh, request, TARGET);
    }

    @Test
    void aRunThatSucceededInThisApplicationSucceeds() {
        assertTrue(ended(0, null, RunStatus.SUCCEEDED, null, true, false, null).succeeded());
        assertTrue(ended(0, null, RunStatus.SUCCEEDED, null, true, true, null).succeeded());
    }

    @Test
    void aDateThatHadAlreadySucceededIsSuccessUnlessForced() {
        assertTrue(ended(0, null, RunStatus.SUCCEEDED, null, false, false, null).succeeded(), "the driver leaves such a date alone");
        SubmittedRun.Ended forced = ended(0, null, RunStatus.SUCCEEDED, null, false, true, null);
        assertFalse(forced.succeeded(), "--force asked for a new run and none finished");
        assertNull(forced.freshState(), "an earlier run's state says nothing about this application");
    }

    @Test
    void clusterModeExitZeroWithAFailedRunFailsWithTheDriversError() {
        // Standalone cluster mode: spark-submit exits 0 whatever the driver did; the run state decides.
        SubmittedRun.Ended e = ended(0, null, RunStatus.FAILED, "step train: rounds 1-500 failed", true, false, null);
        assertFalse(e.succeeded());
        assertEquals("step train: rounds 1-500 failed", e.failure());
    }

    @Test
    void aToStepRunSucceedsWhenItStoppedWhereAsked() {
        assertTrue(ended(0, null, RunStatus.PENDING, null, true, false, "validate").succeeded());
        assertFalse(ended(0, null, RunStatus.PENDING, null, true, false, null).succeeded());
        assertFalse(ended(0, null, RunStatus.PENDING, "boom", true, false, "validate").succeeded());
    }

    @Test
    void noStateOrAFailedSubmitOrAStopFails() {
        SubmittedRun.Ended none = ended(1, null, null, null, false, false, null);
        assertFalse(none.succeeded());
        assertTrue(none.failure().startsWith("the Spark application on spark://m:7077 (cluster deploy mode) failed before the pipeline finished "
                + "(spark-submit exit 1;"), none.failure());
        assertTrue(none.failure().contains("Completed Drivers"), none.failure());
        assertFalse(ended(1, null, RunStatus.SUCCEEDED, null, true, false, null).succeeded(), "spark-submit's failure counts too");
        SubmittedRun.Ended stopped = ended(143, "deadline of 60 minutes passed", RunStatus.FAILED, null, true, false, null);
        assertFalse(stopped.succeeded());
        assertEquals("deadline of 60 minutes passed", stopped.failure());
    }
}
