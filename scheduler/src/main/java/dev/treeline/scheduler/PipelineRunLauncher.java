package dev.treeline.scheduler;

import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.step.StepTypes;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

/** Runs schedules in this process with the pipeline runner (the spec is re-read at every fire). */
public final class PipelineRunLauncher implements PipelineLauncher {
    private final PipelineRunner runner;
    private final Map<String, String> params;

    public PipelineRunLauncher(PipelineRunner runner, Map<String, String> params) {
        this.runner = runner;
        this.params = params;
    }

    @Override
    public void launch(ScheduleSpec schedule, LocalDate logicalDate) {
        Map<String, String> vars = new HashMap<>(params);
        vars.putAll(schedule.params());
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(schedule.pipeline(), vars);
        runner.run(pipeline, logicalDate, RunOptions.DEFAULT);
    }
}
