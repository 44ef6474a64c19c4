package dev.treeline.cli;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.SparkSessions;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.scheduler.Controller;
import dev.treeline.scheduler.PipelineRunLauncher;
import dev.treeline.scheduler.ScheduleFile;
import dev.treeline.scheduler.ScheduleSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "start", description = {"Run the controller in the foreground.",
                "Fires each schedule's pipeline for its logical date. Ctrl-C or SIGTERM lets the running pipeline finish, then exits."})
final class SchedulerStartCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCHEDULES", description = "Schedule file (YAML), e.g. examples/flights/schedule.yaml.")
    Path file;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "Value for ${NAME} in specs (repeatable).")
    List<String> params = new ArrayList<>();

    @Option(names = "--master", paramLabel = "URL", description = "Spark master for all runs.")
    String master;

    @Option(names = "--mlflow-uri", paramLabel = "URL", description = "MLflow tracking server.")
    String mlflowUri;

    @Mixin CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Environment env = Cli.environment(common, mlflowUri, master, Cli.params(params));
        List<ScheduleSpec> schedules = ScheduleFile.load(file, env.params());
        PipelineRunner runner = new PipelineRunner(env, Cli.tracking(env),
                () -> SparkSessions.getOrCreate(SparkSpec.DEFAULT, env.sparkMaster(), false), Cli.OUT);
        Controller controller = new Controller(schedules, new PipelineRunLauncher(runner, env.params()), Cli.OUT);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping the scheduler (waiting for a running pipeline to finish)...");
            controller.close();
        }));
        controller.start();
        System.out.println("Scheduler running with " + schedules.size() + " schedule(s); Ctrl-C to stop.");
        controller.awaitShutdown();
        return 0;
    }
}
