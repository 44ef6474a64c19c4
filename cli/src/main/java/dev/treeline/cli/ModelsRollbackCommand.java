package dev.treeline.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollback", description = {"Restore the version with alias previous as champion and re-point serving (champion.json, and",
        "routing.json if an A/B test was running). Exit code 0, or 1 when there is no previous version."})
final class ModelsRollbackCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "MODEL") String model;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded in the audit log.")
    String comment;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            String from = s.lifecycle(model).rollback(model, comment);
            String now = s.mlflow.registry().aliases(model).get("champion");
            var pub = s.publisher(model);
            String serving = pub.location(pub.pointerKey(model));
            Map<String, Object> json = new java.util.LinkedHashMap<>();
            json.put("model", model);
            json.put("rolled_back_from", from);
            json.put("champion", now);
            json.put("serving", serving);
            // from is null when this completed a rollback that was interrupted after moving the alias.
            output.print(json, model + ": rolled back " + (from == null ? "(completing an interrupted rollback)" : "from version " + from)
                    + " to version " + now + "; serving: " + serving);
            return 0;
        }
    }
}
