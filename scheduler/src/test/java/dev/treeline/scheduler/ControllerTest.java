package dev.treeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStatus;
import dev.treeline.pipelines.spec.SpecException;
import dev.treeline.pipelines.testing.CountingStepType;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerTest {
    @TempDir Path tmp;

    @Test
    void secondlyCronRunsThePipelineOnceForYesterday() throws Exception {
        String id = "ctl-" + tmp.getFileName();
        TestPipelines.writeSpec(tmp, """
            pipeline: nightly
            steps:
              - {name: a, type: count, outputs: [x], params: {id: %s}}
            """.formatted(id));
        Path scheduleFile = tmp.resolve("schedule.yaml");
        Files.writeString(scheduleFile, """
            schedules:
              - name: every-second
                pipeline: pipeline.yaml
                cron: "* * * * * ?"
                time_zone: Europe/Paris
            """);
        List<ScheduleSpec> schedules = ScheduleFile.load(scheduleFile, Map.of());
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, TestSpark::session, l -> {});
        List<String> lines = new ArrayList<>();
        try (Controller controller = new Controller(schedules, new PipelineRunLauncher(runner, Map.of()), lines::add)) {
            controller.start();
            long deadline = System.currentTimeMillis() + 20_000;
            while (controller.launches().size() < 3 && System.currentTimeMillis() < deadline) Thread.sleep(100);
        }
        LocalDate yesterday = LocalDate.now(ZoneId.of("Europe/Paris")).minusDays(1);
        assertTrue(lines.stream().filter(l -> l.startsWith("schedule every-second: fired for logical date ")).count() >= 3, lines.toString());
        assertTrue(lines.stream().filter(l -> l.startsWith("schedule every-second: fired")).allMatch(l -> l.endsWith(yesterday.toString())
                || l.endsWith(yesterday.plusDays(1).toString())), "fires around midnight may see the next day: " + lines);
        // Several fires, one run: later fires find the date already succeeded.
        assertEquals(1, CountingStepType.RUNS.get(id).get());
        RunState state = runner.store().list("nightly").get(0);
        assertEquals(RunStatus.SUCCEEDED, state.status);
    }

    @Test
    void badCronIsReportedWithFileLineAndExample() throws Exception {
        Path f = tmp.resolve("s.yaml");
        Files.writeString(f, "schedules:\n  - name: x\n    pipeline: p.yaml\n    cron: \"0 0 2 * *\"\n");
        SpecException e = assertThrows(SpecException.class, () -> ScheduleFile.load(f, Map.of()));
        assertTrue(e.getMessage().startsWith(f + ":4: schedules[0].cron: '0 0 2 * *' is not a Quartz cron expression ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("it has 6 or 7 fields, seconds first, e.g. '0 0 2 * * ?' for 02:00 every day"), e.getMessage());
    }
}
