package dev.treeline.pipelines.testing;

import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.StaleInputException;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.step.StepType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test step {@code count}: records how often it ran (by {@code params.id}, and as a line "id date pid"
 * in {@code params.log} when set, so that runs in other processes count too), fails while the file
 * {@code params.fail_while} exists or for its first {@code params.fail_times} runs, finds its first input stale for its
 * first {@code params.stale_times} runs, and sleeps
 * {@code params.sleep_seconds} first (a hung step), or keeps busy {@code params.busy_seconds} ignoring and then clearing an interrupt
 * (a step that cannot be stopped), and notes the value of the Spark setting
 * {@code params.conf} in its session ({@link #CONF_SEEN}). Writes its one output as JSON.
 */
public final class CountingStepType implements StepType {
    public static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    /** By step id: the value of the setting {@code params.conf} in the session the step ran in. */
    public static final Map<String, String> CONF_SEEN = new ConcurrentHashMap<>();

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
        var p = spec.paramsOrEmpty().allowOnly("id", "fail_while", "fail_times", "sleep_seconds", "busy_seconds", "log", "conf", "stale_times");
        String id = p.requiredString("id");
        String failWhile = p.string("fail_while", null);
        int failTimes = p.integer("fail_times", 0, 0, 100);
        int sleep = p.integer("sleep_seconds", 0, 0, 3600);
        int busy = p.integer("busy_seconds", 0, 0, 3600);
        String log = p.string("log", null);
        String conf = p.string("conf", null);
        int staleTimes = p.integer("stale_times", 0, 0, 100);
        return ctx -> {
            int n = RUNS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            if (log != null) {
                Files.writeString(Path.of(log), id + " " + ctx.logicalDate() + " " + ProcessHandle.current().pid() + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
            if (conf != null) CONF_SEEN.put(id, ctx.spark().conf().get(conf, "(unset)"));
            if (sleep > 0) Thread.sleep(sleep * 1000L);
            long busyUntil = System.nanoTime() + busy * 1_000_000_000L;
            while (System.nanoTime() < busyUntil) Thread.onSpinWait(); // deaf to interrupts, like native code
            if (busy > 0) Thread.interrupted(); // and swallowing them, as much library code does
            if (failWhile != null && Files.exists(Path.of(failWhile))) throw new IllegalStateException("told to fail by " + failWhile);
            if (n <= failTimes) throw new IllegalStateException("failing run " + n + " of " + failTimes + " on purpose");
            if (n <= staleTimes) throw new StaleInputException(ctx.input(0), "input " + ctx.input(0) + " is out of date (run " + n + ")");
            for (String out : ctx.step().outputs()) ctx.catalog().writeJson(out, Map.of("id", id, "date", ctx.logicalDate().toString()));
            return StepResult.of("counted " + id);
        };
    }

    @Override
    public String outputFormat(int index) {
        return "json";
    }
}
