package dev.treeline.cli;

import java.util.LinkedHashMap;
import java.util.Map;
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

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            String model = args.model;
            String version = args.resolve(s);
            var lifecycle = s.lifecycle(model);
            String previous = lifecycle.promote(model, version, comment, true);
            var pub = s.publisher(model);
            String serving = pub.location(pub.pointerKey(model));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("model", model);
            json.put("champion", version);
            json.put("previous", previous == null || previous.equals(version) ? null : previous);
            json.put("serving", serving);
            output.print(json, model + ": champion is now version " + version + (previous == null || previous.equals(version) ? ""
                    : " (previous: version " + previous + ")") + "; serving: " + serving);
            return 0;
        }
    }
}
