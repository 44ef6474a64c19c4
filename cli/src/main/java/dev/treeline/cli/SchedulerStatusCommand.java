package dev.treeline.cli;

import dev.treeline.pipelines.util.Json;
import dev.treeline.scheduler.SchedulerAdmin;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status", description = {"Show each schedule's trigger (state, next fire), last run and run counts, and the controllers",
        "that checked in to the cluster. Exit code 0."})
final class SchedulerStatusCommand implements Callable<Integer> {
    @Mixin SchedulesOptions schedules;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (SchedulerAdmin admin = schedules.admin()) {
            List<Map<String, Object>> status = admin.status();
            List<Map<String, Object>> instances = admin.instances();
            if (output.json()) {
                System.out.println(Json.write(Map.of("schedules", status, "controllers", instances)));
                return 0;
            }
            System.out.printf("%-20s  %-10s  %-25s  %-40s  %s%n", "schedule", "trigger", "next fire", "last run", "runs");
            for (Map<String, Object> s : status) {
                System.out.printf("%-20s  %-10s  %-25s  %-40s  %s%n", s.get("schedule"), s.get("trigger"), s.get("next_fire") == null ? "-" : s.get("next_fire"),
                        s.get("last_run") == null ? "-" : s.get("last_run"), s.get("runs"));
            }
            for (Map<String, Object> i : instances) {
                System.out.println("controller " + i.get("instance") + ": last check-in " + i.get("last_checkin") + ((Boolean) i.get("alive") ? "" : " (gone)"));
            }
            return 0;
        }
    }
}
