package dev.treeline.cli;

import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.StepSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "validate-spec", description = {"Check a pipeline spec without running it.", "Keys, values, dataset wiring and every step's params, with file and line in errors."})
final class SpecCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC", description = "Pipeline spec (YAML).")
    Path spec;

    @Mixin ParamsOption params;

    @Override
    public Integer call() {
        Pipeline p = Cli.load(spec, params.map());
        System.out.println(spec + ": valid pipeline '" + p.spec().name() + "' (spec hash " + p.spec().specHash() + "), "
                + p.spec().steps().size() + " steps:");
        for (StepSpec s : p.spec().steps()) System.out.println("  " + s);
        return 0;
    }
}
