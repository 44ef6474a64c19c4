package dev.treeline.scheduler;

import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A schedule file ({@code schedules:} list), validated with file, line and key in every error. */
public final class ScheduleFile {
    private ScheduleFile() {}

    public static List<ScheduleSpec> load(Path file, Map<String, String> vars) {
        SpecNode root = SpecNode.parse(file, Interpolator.of(vars));
        root.allowOnly("schedules");
        Path base = file.toAbsolutePath().getParent();
        List<ScheduleSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (SpecNode s : root.require("schedules").asList()) {
            ScheduleSpec spec = ScheduleSpec.from(s, base);
            if (!names.add(spec.name())) throw s.require("name").error("schedule name '" + spec.name() + "' is used twice");
            out.add(spec);
        }
        if (out.isEmpty()) throw root.require("schedules").error("no schedules");
        return out;
    }
}
