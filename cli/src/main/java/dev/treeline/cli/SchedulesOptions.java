package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.scheduler.ScheduleFile;
import dev.treeline.scheduler.SchedulerAdmin;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The schedule file (controller settings and schedules) the scheduler, runs and backfill commands work on. */
final class SchedulesOptions {
    @Mixin CommonOptions common;

    @Option(names = {"-s", "--schedules"}, paramLabel = "FILE", description = "Schedule file (default: $TREELINE_SCHEDULES).")
    Path file;

    @Mixin ParamsOption params;

    Path file() {
        Path configured = EnvironmentResolver.system().schedules(file);
        if (configured != null) return configured;
        throw new TreelineException(ExitCode.USAGE, "which schedules? pass --schedules FILE (e.g. examples/flights/schedule.yaml) or set TREELINE_SCHEDULES");
    }

    Environment environment() {
        return environment(null, null);
    }

    /** The settings with this command's own --mlflow-uri and --master, if it has them. */
    Environment environment(String mlflowUri, String master) {
        return Cli.environment(common, mlflowUri, master, params.map());
    }

    ScheduleFile.Loaded load() {
        return load(environment());
    }

    ScheduleFile.Loaded load(Environment env) {
        return ScheduleFile.loadAll(file(), env.params(), env.workspace(), System::getenv);
    }

    SchedulerAdmin admin() {
        return new SchedulerAdmin(load());
    }

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
