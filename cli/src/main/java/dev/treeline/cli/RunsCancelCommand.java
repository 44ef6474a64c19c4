package dev.treeline.cli;

import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.SchedulerAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", description = {"Cancel a run: a queued one at once, a running one at its next check (its Spark jobs are cancelled).",
        "Exit code 0, or 1 when the run is already finished."})
final class RunsCancelCommand implements Callable<Integer> {
    @Mixin SchedulesOptions schedules;

    @Parameters(index = "0", paramLabel = "RUN") String runId;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (SchedulerAdmin admin = schedules.admin()) {
            RunRecord r = admin.cancel(runId);
            output.print(r, "run " + r.runId() + ": " + (r.state().equals(RunRecord.CANCELLED) ? "cancelled" : "cancel requested"));
            return 0;
        }
    }
}
