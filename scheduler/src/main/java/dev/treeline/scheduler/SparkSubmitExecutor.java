package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStatus;
import dev.treeline.pipelines.run.RunStore;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.step.StepTypes;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.SparkAppHandle;
import org.apache.spark.launcher.SparkLauncher;

/**
 * Runs each attempt as a Spark application: {@code spark-submit} (through {@link SparkLauncher}) of the
 * Treeline jar's {@code run} command, client or cluster deploy mode, and follows it to its final
 * state. The run state is written to the workspace, which must be shared with the driver in cluster
 * mode; the attempt's outcome is read from it. A stop kills the application.
 */
public final class SparkSubmitExecutor implements RunExecutor {
    /** The {@code controller.submit} settings. */
    public record Submit(Path sparkHome, String master, String deployMode, Path appJar, String mainClass, Map<String, String> conf) {}

    private final Submit submit;
    private final Path workspace;
    private final String mlflowUri;
    private final Map<String, String> params;

    public SparkSubmitExecutor(Submit submit, Path workspace, String mlflowUri, Map<String, String> params) {
        this.submit = submit;
        this.workspace = workspace;
        this.mlflowUri = mlflowUri;
        this.params = params;
    }

    /** The application's arguments: Treeline's run command for the run's date. */
    List<String> appArgs(ScheduleSpec schedule, RunRecord run) {
        List<String> args = new ArrayList<>(List.of("run", schedule.pipeline().toString(), "--date", run.logicalDate().toString(),
                "--workspace", workspace.toString(), "--master", submit.master()));
        if (mlflowUri != null) args.addAll(List.of("--mlflow-uri", mlflowUri));
        if (run.force() && run.attempts() <= 1) args.add("--force");
        Map<String, String> vars = new LinkedHashMap<>(params);
        vars.putAll(schedule.params());
        vars.forEach((k, v) -> args.addAll(List.of("--param", k + "=" + v)));
        return args;
    }

    SparkLauncher launcher(ScheduleSpec schedule, RunRecord run) {
        SparkLauncher l = new SparkLauncher().setSparkHome(submit.sparkHome().toString()).setMaster(submit.master())
                .setDeployMode(submit.deployMode()).setAppResource(submit.appJar().toString()).setMainClass(submit.mainClass())
                .setAppName("treeline " + schedule.name() + " " + run.logicalDate()).addAppArgs(appArgs(schedule, run).toArray(String[]::new));
        submit.conf().forEach(l::setConf);
        return l;
    }

    @Override
    public Outcome execute(ScheduleSpec schedule, RunRecord run, StopCheck stop) throws InterruptedException {
        SparkAppHandle handle;
        try {
            handle = launcher(schedule, run).startApplication();
        } catch (java.io.IOException | RuntimeException e) {
            throw new TreelineException(ExitCode.SERVICE, "spark-submit from " + submit.sparkHome() + " failed to start: " + e.getMessage(), e);
        }
        Instant start = Instant.now();
        String stoppedFor = null;
        while (!handle.getState().isFinal()) {
            Thread.sleep(500);
            if (stoppedFor == null) {
                stoppedFor = stop.reasonToStop(null, start);
                if (stoppedFor != null) handle.stop();
            }
            if (stoppedFor != null && Instant.now().isAfter(start.plusSeconds(60))) handle.kill();
        }
        Map<String, String> vars = new HashMap<>(params);
        vars.putAll(schedule.params());
        String pipeline = new SpecLoader(StepTypes.discover()).load(schedule.pipeline(), vars).spec().name();
        RunState state = new RunStore(workspace.resolve("runs")).load(pipeline, run.logicalDate());
        boolean ok = stoppedFor == null && handle.getState() == SparkAppHandle.State.FINISHED && state != null && state.status == RunStatus.SUCCEEDED;
        String error = stoppedFor != null ? stoppedFor : ok ? null
                : "Spark application " + handle.getAppId() + " ended " + handle.getState() + (state != null && state.error != null ? ": " + state.error : "");
        String version = state == null || state.number("register", "model_version") == null ? null
                : String.valueOf(state.number("register", "model_version").longValue());
        return new Outcome(ok, stoppedFor != null, error, state == null ? null : state.runId, state == null ? null : state.trackingRunId, version, null,
                Map.of(), Map.of());
    }
}
