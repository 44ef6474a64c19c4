package dev.treeline.cli;

import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.SchedulerAdmin;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "trigger", description = {"Queue a run of a schedule now, for --date or the logical date of a fire now. A running controller",
        "picks it up (or the next one to start). Exit code 0, or 7 when the date already has a run queued or running."})
final class SchedulerTriggerCommand implements Callable<Integer> {
    @Mixin SchedulesOptions schedules;

    @Parameters(index = "0", paramLabel = "SCHEDULE") String schedule;

    @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "Logical date (default: the schedule's rule applied to now).")
    LocalDate date;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (SchedulerAdmin admin = schedules.admin()) {
            RunRecord r = admin.trigger(schedule, date);
            output.print(r, "queued run " + r.runId() + " of " + schedule + " for " + r.logicalDate());
            return 0;
        }
    }
}
