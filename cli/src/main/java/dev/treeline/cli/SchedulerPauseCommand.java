package dev.treeline.cli;

import dev.treeline.scheduler.SchedulerAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "pause", description = {"Pause a schedule's trigger: no fires until resumed (queued runs still run).",
        "Exit code 0."})
final class SchedulerPauseCommand implements Callable<Integer> {
    @Mixin SchedulesOptions schedules;

    @Parameters(index = "0", paramLabel = "SCHEDULE") String schedule;

    @Override
    public Integer call() {
        try (SchedulerAdmin admin = schedules.admin()) {
            admin.pause(schedule);
            System.out.println("schedule " + schedule + ": paused");
            return 0;
        }
    }
}
