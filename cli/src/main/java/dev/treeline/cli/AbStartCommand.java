package dev.treeline.cli;

import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.s3.Routing;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "start", description = {"Route --traffic percent to an approved, gate-passing challenger and the rest to the champion.",
        "Both versions are published first; routing.json is written last. Exit code 0, or 1 when refused."})
final class AbStartCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "MODEL") String model;

    @Option(names = "--challenger", required = true, paramLabel = "VERSION", description = "The version to test: a number or an alias (e.g. challenger).")
    String challenger;

    @Option(names = "--traffic", required = true, paramLabel = "PERCENT", description = "Share of requests for the challenger, 1-99.")
    int traffic;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded in the audit log.")
    String comment;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            Routing r = s.lifecycle(model).abStart(model, s.mlflow.registry().resolveVersion(model, challenger), traffic, comment);
            if (output.json()) System.out.println(Json.write(r));
            else AbStatusCommand.print(r, s.publisher(model).location(s.publisher(model).routingKey(model)));
            return 0;
        }
    }
}
