package dev.treeline.pipelines.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.CountingStepType;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineRunnerTest {
    static final LocalDate DATE = LocalDate.of(2001, 6, 1);
    @TempDir Path tmp;
    Path failFlag;
    Pipeline pipeline;
    PipelineRunner runner;
    List<String> lines = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        CountingStepType.RUNS.clear();
        failFlag = tmp.resolve("fail-b");
        String id = tmp.getFileName().toString();
        String yaml = """
            pipeline: counting
            steps:
              - {name: a, type: count, outputs: [xa], params: {id: %1$s-a}}
              - {name: b, type: count, inputs: [xa], outputs: [xb], params: {id: %1$s-b, fail_while: %2$s}}
              - {name: c, type: count, inputs: [xb], outputs: [xc], params: {id: %1$s-c}}
            """.formatted(id, failFlag);
        pipeline = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), yaml), Map.of());
        runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, TestSpark::session, lines::add);
    }

    int runs(String step) {
        var c = CountingStepType.RUNS.get(tmp.getFileName() + "-" + step);
        return c == null ? 0 : c.get();
    }

    @Test
    void failedDateResumesAtTheFailedStepWithTheSameRunId() throws Exception {
        Files.createFile(failFlag);
        StepFailedException e = assertThrows(StepFailedException.class, () -> runner.run(pipeline, DATE, RunOptions.DEFAULT));
        assertEquals("step 'b' failed: IllegalStateException: told to fail by " + failFlag, e.getMessage());
        assertEquals(ExitCode.FAILURE, e.exitCode());
        RunState failed = runner.store().load("counting", DATE);
        assertEquals(RunStatus.FAILED, failed.status);
        assertEquals(RunStatus.SUCCEEDED, failed.step("a").status);
        assertEquals(RunStatus.FAILED, failed.step("b").status);
        assertEquals(RunStatus.PENDING, failed.step("c").status);

        Files.delete(failFlag);
        RunOutcome resumed = runner.run(pipeline, DATE, RunOptions.DEFAULT);
        assertEquals(RunOutcome.Kind.SUCCEEDED, resumed.kind());
        assertEquals(failed.runId, resumed.state().runId, "a resume continues the same run");
        assertEquals(2, resumed.state().attempt);
        assertEquals(1, runs("a"), "step a succeeded before and is not run again");
        assertEquals(2, runs("b"));
        assertEquals(1, runs("c"));
        assertTrue(lines.contains("[1/3] a: done earlier in this run, skipped"), lines.toString());
    }

    @Test
    void aStepFindingItsInputStaleHasTheStepThatWroteItRunAgainOnTheNextAttempt() {
        String id = tmp.getFileName().toString();
        Pipeline stale = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("stale-spec"), """
            pipeline: stale
            steps:
              - {name: a, type: count, outputs: [xa], params: {id: %1$s-a}}
              - {name: b, type: count, inputs: [xa], outputs: [xb], params: {id: %1$s-b}}
              - {name: c, type: count, inputs: [xb], outputs: [xc], params: {id: %1$s-c, stale_times: 1}}
            """.formatted(id)), Map.of());
        StepFailedException e = assertThrows(StepFailedException.class, () -> runner.run(stale, DATE, RunOptions.DEFAULT));
        assertEquals("step 'c' failed: input xb is out of date (run 1)", e.getMessage());
        RunState failed = runner.store().load("stale", DATE);
        assertEquals(RunStatus.SUCCEEDED, failed.step("a").status, "a wrote nothing stale");
        assertEquals(RunStatus.PENDING, failed.step("b").status, "b wrote the stale input: it runs again");
        assertTrue(lines.contains("step 'b' runs again on the next attempt: its output xb is out of date"), lines.toString());

        runner.run(stale, DATE, RunOptions.DEFAULT);
        assertEquals(List.of(1, 2, 2), List.of(runs("a"), runs("b"), runs("c")), "the resumed attempt redid b, then c");
    }

    @Test
    void succeededDateIsNotRunAgainUnlessForced() {
        RunOutcome first = runner.run(pipeline, DATE, RunOptions.DEFAULT);
        RunOutcome second = runner.run(pipeline, DATE, RunOptions.DEFAULT);
        assertEquals(RunOutcome.Kind.ALREADY_SUCCEEDED, second.kind());
        assertEquals(1, runs("a"));
        assertTrue(lines.get(lines.size() - 1).startsWith("counting 2001-06-01: already succeeded (run " + first.state().runId + ")"));

        RunOutcome forced = runner.run(pipeline, DATE, new RunOptions(true, null, null));
        assertEquals(RunOutcome.Kind.SUCCEEDED, forced.kind());
        assertNotEquals(first.state().runId, forced.state().runId, "--force starts a new run");
        assertEquals(2, runs("a"));
        assertTrue(Files.exists(runner.store().dateDir("counting", DATE).resolve("history").resolve(first.state().runId + ".json")),
                "the replaced run's state is archived");
    }

    @Test
    void fromStepRedoesThatStepAndTheRestOfTheSameRun() {
        RunOutcome first = runner.run(pipeline, DATE, RunOptions.DEFAULT);
        RunOutcome redo = runner.run(pipeline, DATE, new RunOptions(false, "b", null));
        assertEquals(first.state().runId, redo.state().runId);
        assertEquals(1, runs("a"));
        assertEquals(2, runs("b"));
        assertEquals(2, runs("c"));
    }

    @Test
    void toStepStopsEarlyAndLeavesTheRunOpen() {
        RunOutcome partial = runner.run(pipeline, DATE, new RunOptions(false, null, "a"));
        assertEquals(RunStatus.PENDING, partial.state().status);
        assertEquals(0, runs("b"));
        RunOutcome rest = runner.run(pipeline, DATE, RunOptions.DEFAULT);
        assertEquals(RunStatus.SUCCEEDED, rest.state().status);
        assertEquals(1, runs("a"));
        assertEquals(1, runs("c"));
    }

    @Test
    void unknownSliceStepIsAUsageError() {
        TreelineException e = assertThrows(TreelineException.class, () -> runner.run(pipeline, DATE, new RunOptions(false, "bb", null)));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().startsWith("no step named 'bb' in "), e.getMessage());
    }

    @Test
    void aSecondProcessOnTheSameDateIsRefused() throws Exception {
        Throwable refused;
        try (var held = runner.store().tryLock("counting", DATE)) {
            // Another thread, as another process would be: what it threw comes back here for the assertions.
            refused = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    runner.run(pipeline, DATE, RunOptions.DEFAULT);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }).get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        TreelineException e = org.junit.jupiter.api.Assertions.assertInstanceOf(TreelineException.class, refused, "the second run is refused");
        assertEquals(ExitCode.BUSY, e.exitCode());
        assertTrue(e.getMessage().startsWith("counting " + DATE + " is being run by another process ("), e.getMessage());
        assertEquals(0, runs("a"), "no step ran");
        runner.run(pipeline, DATE, RunOptions.DEFAULT);
        assertEquals(1, runs("a"), "once the lock is free, the date runs");
    }
}
