package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Json;
import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.SchedulerAdmin;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list", description = {"List runs, newest first: schedule, logical date, state, attempts, duration, MLflow run and model version.",
        "Exit code 0."})
final class RunsListCommand implements Callable<Integer> {
    @Mixin SchedulesOptions schedules;

    @Option(names = "--schedule", paramLabel = "NAME", description = "Only this schedule's runs.")
    String schedule;

    @Option(names = "--state", paramLabel = "STATE", description = "Only runs in this state: queued, running, succeeded, failed, cancelled.")
    String state;

    @Option(names = "--limit", paramLabel = "N", description = "At most N runs (default: ${DEFAULT-VALUE}).", defaultValue = "50")
    int limit;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        if (state != null && !RunRecord.STATES.contains(state)) {
            throw new TreelineException(ExitCode.USAGE, "--state " + state + ": not a run state; use one of "
                    + String.join(", ", RunRecord.STATES));
        }
        try (SchedulerAdmin admin = schedules.admin()) {
            List<RunRecord> runs = admin.runs().list(schedule, state, limit);
            if (output.json()) {
                System.out.println(Json.write(Map.of("runs", runs)));
                return 0;
            }
            System.out.printf("%-22s  %-16s  %-10s  %-9s  %-8s  %8s  %-9s  %-7s  %s%n", "run", "schedule", "date", "state", "kind", "seconds", "attempts",
                    "version", "mlflow run");
            for (RunRecord r : runs) {
                System.out.printf("%-22s  %-16s  %-10s  %-9s  %-8s  %8s  %-9d  %-7s  %s%n", r.runId(), r.schedule(), r.logicalDate(), r.state(), r.kind(),
                        r.seconds() == null ? "-" : String.format("%.1f", r.seconds()), r.attempts(), r.modelVersion() == null ? "-" : r.modelVersion(),
                        r.mlflowRunId() == null ? "-" : r.mlflowRunId());
            }
            return 0;
        }
    }
}
