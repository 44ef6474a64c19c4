package dev.treeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Json;
import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.SchedulerAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "show", description = {"Show one run: state, attempts, per-step states and durations, error, MLflow run, model version.", "Exit code 0."})
final class RunsShowCommand implements Callable<Integer> {
    @Mixin SchedulesOptions schedules;

    @Parameters(index = "0", paramLabel = "RUN") String runId;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (SchedulerAdmin admin = schedules.admin()) {
            RunRecord r = admin.runs().get(runId).orElseThrow(() -> new TreelineException(ExitCode.USAGE,
                    "no run " + runId + " in the runs table; treeline runs list shows them"));
            if (output.json()) {
                System.out.println(Json.write(r));
                return 0;
            }
            System.out.println("run " + r.runId() + ": " + r.schedule() + " " + r.logicalDate() + " " + r.state() + " (" + r.kind() + ", attempts " + r.attempts()
                    + (r.instance() == null ? "" : ", on " + r.instance()) + ")");
            System.out.println("  queued " + r.queuedAt() + (r.startedAt() == null ? "" : ", started " + r.startedAt())
                    + (r.endedAt() == null ? "" : ", ended " + r.endedAt()));
            if (r.error() != null) System.out.println("  error: " + r.error());
            if (r.mlflowRunId() != null) System.out.println("  MLflow run " + r.mlflowRunId() + (r.modelVersion() == null ? "" : ", model version " + r.modelVersion()));
            if (r.steps() != null) {
                for (JsonNode st : Json.parse(r.steps())) {
                    System.out.printf("  %-14s %-10s attempts %d  %s%n", st.path("name").asText(), st.path("state").asText(), st.path("attempts").asInt(),
                            st.path("seconds").isNumber() ? String.format("%.1f s", st.path("seconds").asDouble()) : "");
                }
            }
            return 0;
        }
    }
}
