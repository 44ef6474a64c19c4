package dev.treeline.cli;

import dev.treeline.scheduler.SchedulerAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "resume", description = {"Resume a paused schedule; fires missed while paused follow its misfire policy.",
        "Exit code 0."})
final class SchedulerResumeCommand implements Callable<Integer> {
    @Mixin SchedulesOptions schedules;

    @Parameters(index = "0", paramLabel = "SCHEDULE") String schedule;

    @Override
    public Integer call() {
        try (SchedulerAdmin admin = schedules.admin()) {
            admin.resume(schedule);
            System.out.println("schedule " + schedule + ": resumed");
            return 0;
        }
    }
}
