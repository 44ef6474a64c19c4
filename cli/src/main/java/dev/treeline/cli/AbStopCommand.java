package dev.treeline.cli;

import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.s3.Routing;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "stop", description = {"End the running A/B test: --promote makes the challenger champion (the old one keeps alias previous),",
        "--abort sends all traffic back to the champion. routing.json then names one variant with 100%. Exit code 0, or 1 when none runs."})
final class AbStopCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "MODEL") String model;

    static final class Outcome {
        @Option(names = "--promote", required = true, description = "Promote the challenger.") boolean promote;
        @Option(names = "--abort", required = true, description = "Keep the champion.") boolean abort;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Outcome outcome;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded in the audit log.")
    String comment;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            Routing r = s.lifecycle(model).abStop(model, outcome.promote, comment);
            if (output.json()) System.out.println(Json.write(r));
            else AbStatusCommand.print(r, s.publisher(model).location(s.publisher(model).routingKey(model)));
            return 0;
        }
    }
}
