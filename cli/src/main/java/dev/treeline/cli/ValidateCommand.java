package dev.treeline.cli;

import dev.treeline.features.validate.Outcome;
import dev.treeline.features.validate.ReportWriter;
import dev.treeline.features.validate.ValidationReport;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.StepTypeNames;
import dev.treeline.pipelines.util.Json;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "validate", description = {"Run ingestion and validation alone for one date; summarise the report.",
        "Runs the spec's steps up to its last validate step (the date's run then resumes from there). Exit code 4 when the contract fails."})
final class ValidateCommand implements Callable<Integer> {
    @Mixin PipelineOptions pipelineOptions;

    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
        Path spec = pipelineOptions.spec;
        LocalDate date = pipelineOptions.date;
        Environment env = pipelineOptions.environment();
        Pipeline pipeline = Cli.load(spec, env.params());
        String validate = null;
        String type = StepTypeNames.VALIDATE;
        for (StepSpec s : pipeline.spec().steps()) if (s.type().equals(type)) validate = s.name();
        if (validate == null) throw new TreelineException(ExitCode.USAGE, spec + " has no step of type " + type);
        PipelineRunner runner = Cli.runner(env, pipeline, Cli.progress(output.json()));
        RunOutcome outcome = runner.run(pipeline, date, new RunOptions(false, null, validate));
        StepSpec step = pipeline.spec().step(validate);
        Catalog catalog = runner.catalog(pipeline.spec(), outcome.state());
        ValidationReport r = ReportWriter.read(catalog, step);
        if (r == null) {
            System.out.println(outcome.state().step(validate).summary);
            return 0;
        }
        if (output.json()) {
            System.out.println(Json.write(r));
            return 0;
        }
        System.out.printf("%s %s: %s · %,d rows checked = %,d accepted + %,d rejected%n", r.dataset, r.logicalDate, r.status.label().toUpperCase(),
                r.rowsIn, r.rowsAccepted, r.rowsRejected);
        for (ValidationReport.RuleOutcome rule : r.datasetRules) if (rule.status() != Outcome.PASS) System.out.println("  " + rule.status() + ": " + rule.message());
        for (ValidationReport.RuleOutcome rule : r.rowRules) if (rule.status() != Outcome.PASS) System.out.println("  " + rule.status() + ": " + rule.message());
        List<String> drift = new ArrayList<>();
        for (ValidationReport.DriftOutcome d : r.drift) {
            drift.add(d.column() + " " + (d.psi() != null ? String.format("%.4f", d.psi()) : "-") + " " + d.status());
        }
        if (!drift.isEmpty()) System.out.println("  drift (PSI, baseline " + r.driftBaseline + "): " + String.join(" · ", drift));
        System.out.println("  report: " + ReportWriter.html(catalog, step));
        return 0;
    }
}
