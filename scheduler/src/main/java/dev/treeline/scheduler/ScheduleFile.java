package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.scheduler.alerts.AlertSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** A schedule file ({@code controller:} settings and a {@code schedules:} list), validated with file, line and key in every error. */
public final class ScheduleFile {
    private ScheduleFile() {}

    /** The whole file: the controller's settings (defaults for {@code workspace}) and the schedules. */
    public record Loaded(ControllerSettings settings, List<ScheduleSpec> schedules, AlertSettings alerts) {
        public ScheduleSpec schedule(String name) {
            return schedules.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new TreelineException(
                    ExitCode.USAGE, "no schedule named '" + name + "'; the file has " + schedules.stream().map(ScheduleSpec::name).toList()));
        }
    }

    public static Loaded loadAll(Path file, Map<String, String> vars, Path workspace, Function<String, String> env) {
        SpecNode root = SpecNode.parse(file, Interpolator.of(vars));
        root.allowOnly("controller", "schedules", "alerts");
        ControllerSettings settings = ControllerSettings.from(root.has("controller") ? root.require("controller") : null,
                file.toAbsolutePath().getParent(), workspace, env);
        AlertSettings alerts = AlertSettings.parse(root.has("alerts") ? root.require("alerts") : null, file.toAbsolutePath().getParent(), env);
        return new Loaded(settings, schedules(root, file), alerts);
    }

    public static List<ScheduleSpec> load(Path file, Map<String, String> vars) {
        SpecNode root = SpecNode.parse(file, Interpolator.of(vars));
        root.allowOnly("controller", "schedules", "alerts");
        return schedules(root, file);
    }

    private static List<ScheduleSpec> schedules(SpecNode root, Path file) {
        Path base = file.toAbsolutePath().getParent();
        List<ScheduleSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (SpecNode s : root.require("schedules").asList()) {
            ScheduleSpec spec = ScheduleSpec.from(s, base);
            if (!names.add(spec.name())) throw s.require("name").error("schedule name '" + spec.name() + "' is used twice");
            out.add(spec);
        }
        if (out.isEmpty()) throw root.require("schedules").error("no schedules");
        List<SpecNode> nodes = root.require("schedules").asList();
        for (int i = 0; i < out.size(); i++) {
            String target = out.get(i).retrainSchedule();
            if (target != null && !names.contains(target)) {
                throw nodes.get(i).require("retrain_schedule").error("no schedule named '" + target + "' in this file; expected one of " + names);
            }
        }
        return out;
    }
}
