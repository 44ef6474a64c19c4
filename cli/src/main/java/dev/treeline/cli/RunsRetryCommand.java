package dev.treeline.cli;

import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.SchedulerAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "retry", description = {"Queue a finished run's date again: a new run that resumes at the step that failed.",
        "Exit code 0, or 1 when the run is not finished."})
final class RunsRetryCommand implements Callable<Integer> {
    @Mixin SchedulesOptions schedules;

    @Parameters(index = "0", paramLabel = "RUN") String runId;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (SchedulerAdmin admin = schedules.admin()) {
            RunRecord r = admin.retry(runId);
            output.print(r, "queued run " + r.runId() + " for " + r.schedule() + " " + r.logicalDate());
            return 0;
        }
    }
}
