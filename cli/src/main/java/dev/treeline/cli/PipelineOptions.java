package dev.treeline.cli;

import dev.treeline.pipelines.env.Environment;
import java.nio.file.Path;
import java.time.LocalDate;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every command that runs a pipeline for a date takes: SPEC, --date, -p, --master, --mlflow-uri and the common options. */
final class PipelineOptions {
    @Parameters(index = "0", paramLabel = "SPEC", description = "Pipeline spec (YAML), e.g. examples/flights/pipeline.yaml.")
    Path spec;

    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "Logical date: the last day of data the run uses.")
    LocalDate date;

    @Mixin ParamsOption params;

    @Mixin MasterOption master;

    @Mixin MlflowOption mlflow;

    @Mixin CommonOptions common;

    /** The settings of this invocation, resolved once (flags, then environment, then files, then defaults). */
    Environment environment() {
        return Cli.environment(common, mlflow.uri, master.master, params.map());
    }
}
