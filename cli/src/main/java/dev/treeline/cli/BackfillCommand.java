package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Json;
import dev.treeline.scheduler.SchedulerAdmin;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "backfill", description = {"Queue one run per logical date of a schedule, oldest first.",
        "Never a second run for a date that has one queued or running. --reprocess none (default) leaves dates that ran",
        "alone, failed reruns failed dates (resuming), all reruns every date from scratch. A running controller runs",
        "them, at most --max-active at once. Exit code 0."})
final class BackfillCommand implements Callable<Integer> {
    @Mixin SchedulesOptions schedules;

    @Parameters(index = "0", paramLabel = "SCHEDULE") String schedule;

    @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD") LocalDate from;
    @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD") LocalDate to;

    @Option(names = "--reprocess", paramLabel = "WHICH", description = "none, failed or all (default: ${DEFAULT-VALUE}).", defaultValue = "none")
    String reprocess;

    @Option(names = "--max-active", paramLabel = "N", description = "Runs of this backfill at once (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int maxActive;

    @Option(names = "--backwards", description = "Newest date first.")
    boolean backwards;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        SchedulerAdmin.Reprocess which = switch (reprocess) {
            case "none" -> SchedulerAdmin.Reprocess.NONE;
            case "failed" -> SchedulerAdmin.Reprocess.FAILED;
            case "all" -> SchedulerAdmin.Reprocess.ALL;
            default -> throw new TreelineException(ExitCode.USAGE,
                    "--reprocess takes none, failed or all, not '" + reprocess + "'");
        };
        if (maxActive < 1) throw new TreelineException(ExitCode.USAGE, "--max-active must be at least 1");
        try (SchedulerAdmin admin = schedules.admin()) {
            List<SchedulerAdmin.BackfillLine> lines = admin.backfill(schedule, from, to, which, maxActive, backwards);
            if (output.json()) {
                System.out.println(Json.write(Map.of("schedule", schedule, "dates", lines)));
                return 0;
            }
            for (SchedulerAdmin.BackfillLine l : lines) System.out.println(l.date() + "  " + l.action() + (l.runId() == null ? "" : "  " + l.runId()));
            long queued = lines.stream().filter(l -> l.action().equals("queued")).count();
            System.out.println(queued + " run(s) queued, " + (lines.size() - queued) + " date(s) left alone");
            return 0;
        }
    }
}
