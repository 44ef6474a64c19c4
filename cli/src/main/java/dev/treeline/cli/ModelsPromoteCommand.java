package dev.treeline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "promote", description = {"Make an approved, gate-passing version the champion and point serving at it.",
        "The version is published to S3 (if not already), alias champion moves, the old champion keeps alias previous,",
        "and champion.json is written last. Exit code 0, or 1 when refused."})
final class ModelsPromoteCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Mixin ModelVersionArgs args;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded in the audit log.")
    String comment;

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            String model = args.model;
            String version = args.resolve(s);
            var lifecycle = s.lifecycle(model);
            String previous = lifecycle.promote(model, version, comment, true);
            var pub = s.publisher(model);
            System.out.println(model + ": champion is now version " + version + (previous == null || previous.equals(version) ? ""
                    : " (previous: version " + previous + ")") + "; serving: " + pub.location(pub.pointerKey(model)));
            return 0;
        }
    }
}
