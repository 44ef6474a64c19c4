package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.env.StackEndpoints;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.step.StepTypeNames;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowCredentials;
import dev.treeline.registry.mlflow.MlflowTracking;
import dev.treeline.registry.mlflow.ReviewView;
import dev.treeline.registry.s3.ChampionPointer;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

@Command(name = "demo", description = {"Try Treeline: nightly flights pipeline on the local stack.",
                "Sets up what is missing (flights data, MLflow venv, S3Proxy jar), starts the local stack, runs the pipeline for each "
                        + "date and shows where to look. Safe to repeat: dates that succeeded are not run again."})
final class DemoCommand implements Callable<Integer> {
    static final String SPEC = "examples/flights/pipeline.yaml";

    @Option(names = "--dates", split = ",", paramLabel = "DATE", description = "Logical dates to run, oldest first (default: ${DEFAULT-VALUE}).",
            defaultValue = "2001-06-01,2001-06-02,2001-06-03")
    List<LocalDate> dates;

    @Option(names = "--data", paramLabel = "FILE", description = "The flights data to use (default: $TREELINE_DATA, else ../shared's copy, "
            + "else vega-datasets fetched with npm into the cache).")
    Path dataFile;

    @Mixin CommonOptions common;
    @Mixin StackOptions ports;

    @Override
    public Integer call() {
        long started = System.currentTimeMillis();
        Path spec = Cli.home().resolve(SPEC);
        if (!Files.isRegularFile(spec)) {
            throw new TreelineException(ExitCode.USAGE, spec + " not found; run the demo from a Treeline clone (./treeline demo)");
        }
        EnvironmentResolver resolver = EnvironmentResolver.system();
        Path workspace = resolver.workspace(common.workspace);
        Path data = FlightsData.locate(Cli.home(), resolver.cacheDir(), Cli.OUT, dataFile);

        LocalStack stack = ports.stack(common);
        // The endpoints are in the summary (MLflow UI, S3) and, when they start now, in the stack's own lines: one screen.
        StackEndpoints endpoints = stack.up();

        Environment env = resolver.forLocalStack(workspace, endpoints, Map.of("TREELINE_DATA", data.toString()));
        Pipeline pipeline = Cli.load(spec, env.params());
        PipelineRunner runner = Cli.runner(env, pipeline);
        List<RunOutcome> outcomes = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        for (LocalDate date : dates) {
            long t0 = System.currentTimeMillis();
            outcomes.add(runner.run(pipeline, date, RunOptions.DEFAULT));
            seconds.add((System.currentTimeMillis() - t0) / 1000.0);
        }
        summary(pipeline, env, endpoints, outcomes, seconds, workspace, (System.currentTimeMillis() - started) / 1000.0);
        return 0;
    }

    private void summary(Pipeline pipeline, Environment env, StackEndpoints endpoints, List<RunOutcome> outcomes, List<Double> seconds,
                         Path workspace, double total) {
        String model = pipeline.spec().modelName();
        Map<String, String> aliases;
        String experiment;
        try (MlflowConnection mlflow = new MlflowConnection(endpoints.mlflowUrl(), MlflowCredentials.NONE)) {
            aliases = mlflow.registry().aliases(model);
            experiment = new MlflowTracking(mlflow).experimentId(pipeline.spec().name());
        }
        String champion = aliases.get("champion");
        String bucket = LocalStack.DEFAULT_BUCKET;
        Optional<ChampionPointer> pointer;
        try (S3Client s3 = S3Clients.create(env.s3())) {
            pointer = new S3Publisher(s3, bucket, "", env.s3()).pointer(model);
        }

        System.out.println();
        System.out.printf("%-11s  %-26s  %-8s  %7s  %11s  %-6s  %-9s  %s%n", "date", "run", "this run", "version", "holdout AUC", "gate", "champion",
                "seconds");
        for (int i = 0; i < outcomes.size(); i++) {
            RunState s = outcomes.get(i).state();
            Double version = s.numberOfType(StepTypeNames.REGISTER, "model_version");
            Double auc = s.numberOfType(StepTypeNames.EVALUATE, "holdout_auc");
            String v = version == null ? "-" : String.valueOf(version.longValue());
            Double gate = s.numberOfType(StepTypeNames.PROMOTE, "gate_passed");
            System.out.printf("%-11s  %-26s  %-8s  %7s  %11s  %-6s  %-9s  %.1f%n", s.logicalDate, s.runId,
                    outcomes.get(i).ranNow() ? "ran" : "done", v, auc == null ? "-" : String.format("%.4f", auc),
                    gate == null ? "-" : gate > 0 ? "passed" : "failed", v.equals(champion) ? "yes" : "", seconds.get(i));
        }
        System.out.println();
        System.out.println("Champion:   " + model + " version " + (champion == null ? "none" : champion)
                + (aliases.containsKey("previous") ? " (previous: version " + aliases.get("previous") + ")" : "")
                + "   verify: ./treeline models verify " + model + " champion");
        System.out.println("MLflow UI:  " + ReviewView.runs(endpoints.mlflowUrl(), experiment)
                + "   (each night: holdout AUC, gate, version)");
        if (champion != null) {
            System.out.println("            " + ReviewView.version(endpoints.mlflowUrl(), model, champion)
                    + "   (the champion against the one before it)");
        }
        System.out.println("Review:     ./treeline models list " + model + "   (gate reasons: ./treeline models show " + model + " <version>)");
        System.out.println("S3:         s3://" + bucket + "/" + model + "/champion.json -> "
                + pointer.map(p -> "version " + p.version() + " at " + p.prefix()).orElse("not published")
                + "   (endpoint " + endpoints.s3Endpoint() + ", files in " + workspace.resolve("stack/s3/data/" + bucket) + ")");
        scoringLines(outcomes, model, workspace);
        System.out.println("Workspace:  " + workspace + "   (run state in runs/, curated data in data/, Spark and XGBoost output in logs/)");
        System.out.printf("Demo took %.1f s. Run it again to see the dates skipped; stop the stack with ./treeline local down%n", total);
    }

    /** The last night's scoring, and the latest day the monitor judged on labels that arrived since. */
    private static void scoringLines(List<RunOutcome> outcomes, String model, Path workspace) {
        RunState last = outcomes.get(outcomes.size() - 1).state();
        Double scored = last.numberOfType(StepTypeNames.SCORE, "rows_scored");
        if (scored != null) {
            Double rejected = last.numberOfType(StepTypeNames.SCORE, "rows_rejected");
            System.out.printf("Scored:     %s: %,d flights with the champion read from S3 (%,d rejected) -> %s%n", last.logicalDate, scored.longValue(),
                    rejected == null ? 0 : rejected.longValue(), workspace.resolve("data").resolve(last.pipeline).resolve("flight_scores"));
        }
        for (int i = outcomes.size() - 1; i >= 0; i--) {
            RunState s = outcomes.get(i).state();
            Double auc = s.numberOfType(StepTypeNames.MONITOR, "auc");
            if (auc == null) continue;
            Double evaluated = s.numberOfType(StepTypeNames.MONITOR, "evaluated_auc");
            Double psi = s.numberOfType(StepTypeNames.MONITOR, "feature_psi_max");
            String day = s.steps.stream().filter(st -> StepTypeNames.MONITOR.equals(st.type) && st.facts != null).map(st -> st.facts.get("judged_day"))
                    .filter(d -> d != null).findFirst().orElse("?");
            System.out.printf("Monitored:  %s on its labels: realised AUC %.4f vs evaluated %s; max feature PSI %s   (./treeline models monitor %s)%n",
                    day, auc, evaluated == null ? "-" : String.format("%.4f", evaluated), psi == null ? "-" : String.format("%.3f", psi), model);
            return;
        }
        System.out.println("Monitored:  no scored day has labels yet (the monitor judges each day once its labels arrive, a day later)");
    }
}
