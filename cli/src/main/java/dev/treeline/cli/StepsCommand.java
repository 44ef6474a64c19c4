package dev.treeline.cli;

import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.util.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "steps", description = "List the step types a pipeline spec can use.")
final class StepsCommand implements Callable<Integer> {
    @Mixin OutputOption output;

    @Override
    public Integer call() {
        List<StepType> types = List.copyOf(StepTypes.discover().all());
        if (output.json()) {
            System.out.println(Json.write(types.stream().map(t -> {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("type", t.name());
                m.put("summary", t.summary());
                m.put("class", t.getClass().getName());
                return m;
            }).toList()));
        } else {
            types.forEach(t -> System.out.printf("  %-14s %s%n", t.name(), t.summary()));
        }
        return 0;
    }
}
