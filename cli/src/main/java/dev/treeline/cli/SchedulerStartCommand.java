package dev.treeline.cli;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.scheduler.Controller;
import dev.treeline.scheduler.InProcessExecutor;
import dev.treeline.scheduler.RunExecutor;
import dev.treeline.scheduler.ScheduleFile;
import dev.treeline.scheduler.SparkSubmitExecutor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "start", description = {"Run the controller in the foreground.",
        "Fires each schedule's cron trigger, queues a run for its logical date and runs it (retries, deadlines, misfire",
        "policy from the schedule file). Several controllers on one PostgreSQL database share the work. SIGTERM or",
        "Ctrl-C stops taking fires and lets running steps finish; an interrupted run resumes at its step later."})
final class SchedulerStartCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SCHEDULES", description = "Schedule file (YAML), e.g. examples/flights/schedule.yaml "
            + "(default: --schedules, then $TREELINE_SCHEDULES).")
    Path positional;

    @Mixin SchedulesOptions schedules;

    @Mixin MasterOption master;

    @Mixin MlflowOption mlflow;

    @Override
    public Integer call() throws Exception {
        if (positional != null) schedules.file = positional;
        Environment env = schedules.environment(mlflow.uri, master.master);
        ScheduleFile.Loaded config = schedules.load(env);
        // Each in-process run gets a session with its spec's spark: settings, active on the run's thread.
        PipelineRunner runner = new PipelineRunner(env, Cli.tracking(env), SparkSession::active, Cli.OUT);
        var submit = config.settings().submit();
        RunExecutor executor = submit == null
                ? new InProcessExecutor(runner, (SparkSpec sparkSpec) -> Cli.spark(env.sparkMaster(), sparkSpec), env.params())
                : new SparkSubmitExecutor(completed(submit, env), env.workspace(), env.mlflowUri(), env.params());
        Controller controller = new Controller(config.settings(), config.schedules(), config.alerts(), executor, Cli.OUT);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping the controller (running steps finish first)...");
            controller.close();
        }));
        controller.start();
        System.out.println("Controller running with " + config.schedules().size() + " schedule(s); Ctrl-C to stop.");
        controller.awaitShutdown();
        return 0;
    }

    /** Unset parts of {@code controller.submit}: this runnable jar submits itself, with SPARK_HOME or pyspark's distribution. */
    static SparkSubmitExecutor.Submit completed(SparkSubmitExecutor.Submit s, Environment env) {
        return new SparkSubmitExecutor.Submit(s.sparkHome() != null ? s.sparkHome() : ClusterRun.sparkHome(null, env),
                s.master(), s.deployMode(), s.appJar() != null ? s.appJar() : ClusterRun.ownJar(), s.mainClass(), s.conf());
    }
}
