package dev.treeline.pipelines.testing;

import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.step.StepType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test step {@code count}: records how often it ran (by {@code params.id}) and fails while the file
 * {@code params.fail_while} exists. Writes its one output as JSON.
 */
public final class CountingStepType implements StepType {
    public static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "count";
    }

    @Override
    public String summary() {
        return "test step that counts its runs";
    }

    @Override
    public Step create(StepSpec spec, PipelineSpec pipeline) {
        var p = spec.paramsOrEmpty().allowOnly("id", "fail_while");
        String id = p.requiredString("id");
        String failWhile = p.string("fail_while", null);
        return ctx -> {
            RUNS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            if (failWhile != null && Files.exists(Path.of(failWhile))) throw new IllegalStateException("told to fail by " + failWhile);
            for (String out : ctx.step().outputs()) ctx.catalog().writeJson(out, Map.of("id", id, "date", ctx.logicalDate().toString()));
            return StepResult.of("counted " + id);
        };
    }

    @Override
    public String outputFormat(int index) {
        return "json";
    }
}
