package dev.treeline.pipelines.testing;

import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;

/** Runs one pipeline date in its own JVM, so a test can kill it with SIGKILL. Args: spec, workspace, date, force. */
public final class RunMain {
    public static void main(String[] args) {
        var pipeline = TestPipelines.load(Path.of(args[0]), Map.of());
        new PipelineRunner(TestPipelines.env(Path.of(args[1])), NoTracking::new, TestSpark::session, line -> System.out.println(line))
                .run(pipeline, LocalDate.parse(args[2]), new RunOptions(Boolean.parseBoolean(args[3]), null, null));
        System.exit(0);
    }
}
