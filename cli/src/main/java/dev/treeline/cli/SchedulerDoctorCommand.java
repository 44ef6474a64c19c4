package dev.treeline.cli;

import dev.treeline.pipelines.util.Json;
import dev.treeline.scheduler.SchedulerAdmin;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "doctor", description = {"Find triggers left ACQUIRED or BLOCKED by a controller that is gone and reset them to WAITING.",
        "With --dry-run, only list them. Without a cluster (H2), run it only while no controller runs. Exit code 0."})
final class SchedulerDoctorCommand implements Callable<Integer> {
    @Mixin SchedulesOptions schedules;

    @Option(names = "--dry-run", description = "List what would be repaired, change nothing.")
    boolean dryRun;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (SchedulerAdmin admin = schedules.admin()) {
            List<SchedulerAdmin.StuckTrigger> stuck = admin.doctor(dryRun);
            if (output.json()) {
                System.out.println(Json.write(Map.of("dry_run", dryRun, "stuck", stuck)));
                return 0;
            }
            if (stuck.isEmpty()) System.out.println("no stuck triggers");
            for (SchedulerAdmin.StuckTrigger t : stuck) {
                System.out.println((dryRun ? "would reset " : "reset ") + t.group() + "." + t.trigger() + " (" + t.state() + ", "
                        + (t.instance() == null ? "no controller holds it" : "held by " + t.instance() + ", which is gone") + ")");
            }
            return 0;
        }
    }
}
