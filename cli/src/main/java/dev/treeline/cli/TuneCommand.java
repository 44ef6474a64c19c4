package dev.treeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.step.StepTypeNames;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.util.Json;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tune", description = {"Search XGBoost parameters for a pipeline's training step on one date's feature rows.",
        "A new run of the date (the previous one is archived, as with run --force) through the training step, with tune: (the spec's, with these options on top, or defaults): every trial "
                + "a nested MLflow run, the best parameters on the parent run and used for the step's model. Prints the trials; put the best "
                + "parameters in the spec, or keep tune: in it to search on every run."},
        sortOptions = false)
final class TuneCommand implements Callable<Integer> {
    @Mixin PipelineOptions pipelineOptions;

    @Mixin OutputOption output;

    static final String TRAIN_TYPE = StepTypeNames.TRAIN;

    @Option(names = "--step", paramLabel = "STEP", description = "The xgboost_train step to tune (default: the only one).")
    String step;

    @Option(names = "--method", paramLabel = "tpe|random", description = "Search method (default: the spec's, else tpe).")
    String method;

    @Option(names = "--trials", paramLabel = "N", description = "Trials at most (default: the spec's, else 20).")
    Integer trials;

    @Option(names = "--time-budget-minutes", paramLabel = "M", description = "Start no trial after this many minutes (default: the spec's, else none).")
    Double minutes;

    @Option(names = "--parallelism", paramLabel = "N", description = "Trials at once, each with its share of the task slots (default: the spec's, else 1).")
    Integer parallelism;

    @Override
    public Integer call() throws Exception {
        Path spec = pipelineOptions.spec;
        LocalDate date = pipelineOptions.date;
        Environment env = pipelineOptions.environment();
        SpecNode root = SpecNode.parse(spec, Interpolator.of(env.params()));
        SpecNode trainNode = trainStep(root);
        String name = trainNode.requiredString("name");
        SpecNode stepParams = trainNode.get("params");
        if (stepParams == null) {
            trainNode.put("params", "{}", "treeline tune");
            stepParams = trainNode.require("params");
        }
        if (!stepParams.has("tune")) stepParams.put("tune", "{}", "treeline tune");
        SpecNode tune = stepParams.require("tune");
        if (method != null) tune.put("method", method, "--method");
        if (trials != null) tune.put("trials", Integer.toString(trials), "--trials");
        if (minutes != null) tune.put("time_budget_minutes", Double.toString(minutes), "--time-budget-minutes");
        if (parallelism != null) tune.put("parallelism", Integer.toString(parallelism), "--parallelism");
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(root, spec);

        PipelineRunner runner = Cli.runner(env, pipeline, Cli.progress(output.json()));
        // A study is a run of its own (a new MLflow parent run, as with run --force): trials and best parameters never mix with another's.
        RunOutcome outcome = runner.run(pipeline, date, new RunOptions(true, null, name));
        // The study is the step's second output (listed in the spec, or <step>.tuning_study).
        String dataset = pipeline.spec().step(name).outputs().get(1);
        JsonNode study = runner.catalog(pipeline.spec(), outcome.state()).readJson(dataset, JsonNode.class);
        if (output.json()) {
            System.out.println(Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(study));
        } else {
            print(study, name);
            if (outcome.state().trackingUrl != null && !outcome.state().trackingUrl.isEmpty()) System.out.println("MLflow run: " + outcome.state().trackingUrl);
        }
        return 0;
    }

    /** The step to tune: --step, else the only xgboost_train step. */
    private SpecNode trainStep(SpecNode root) {
        List<SpecNode> candidates = new ArrayList<>();
        for (SpecNode s : root.require("steps").asList()) {
            String type = s.string("type", s.string("name", ""));
            if (step != null ? step.equals(s.string("name", "")) : type.equals(TRAIN_TYPE)) candidates.add(s);
        }
        Path spec = pipelineOptions.spec;
        if (step != null && candidates.isEmpty()) throw new TreelineException(ExitCode.USAGE, spec + ": no step named '" + step + "'");
        if (candidates.isEmpty()) throw new TreelineException(ExitCode.USAGE, spec + ": no " + TRAIN_TYPE + " step to tune");
        if (candidates.size() > 1) throw new TreelineException(ExitCode.USAGE, spec + ": several " + TRAIN_TYPE + " steps; choose one with --step");
        SpecNode s = candidates.get(0);
        if (!s.string("type", s.string("name", "")).equals(TRAIN_TYPE)) {
            throw new TreelineException(ExitCode.USAGE, "step '" + step + "' is not an " + TRAIN_TYPE + " step");
        }
        return s;
    }

    private static void print(JsonNode study, String step) {
        String metric = study.path("metric").asText();
        List<String> names = new ArrayList<>();
        study.path("best").path("params").fieldNames().forEachRemaining(names::add);
        StringBuilder header = new StringBuilder(String.format("%-6s %-9s", "trial", "state"));
        for (String n : names) header.append(String.format(" %16s", n));
        header.append(String.format(" %14s %6s %8s", "validation " + metric, "best_i", "seconds"));
        System.out.println(header);
        int best = study.path("best").path("number").asInt(-1);
        for (JsonNode t : study.path("trials")) {
            StringBuilder line = new StringBuilder(String.format("%-6s %-9s", (t.path("number").asInt() == best ? "*" : "") + t.path("number").asInt(),
                    t.path("state").asText()));
            for (String n : names) line.append(String.format(" %16.6g", t.path("params").path(n).asDouble()));
            line.append(String.format(" %14.6f %6d %8.1f", t.path("validation").asDouble(), t.path("best_iteration").asInt(), t.path("seconds").asDouble()));
            System.out.println(line);
        }
        StringBuilder params = new StringBuilder();
        study.path("best").path("params").fields().forEachRemaining(e -> params.append(params.length() == 0 ? "" : ", ").append(e.getKey()).append(": ")
                .append(e.getValue().asDouble() == Math.rint(e.getValue().asDouble()) ? Long.toString(e.getValue().asLong()) : e.getValue().asText()));
        System.out.printf("best: trial %d, validation %s %.6f (trial 0, the spec's parameters: %.6f)%n", best, metric,
                study.path("best").path("validation").asDouble(), study.path("trials").path(0).path("validation").asDouble());
        System.out.println("to keep them, set in step '" + step + "' params: {" + params + "}");
    }
}
