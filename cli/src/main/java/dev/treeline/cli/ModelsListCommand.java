package dev.treeline.cli;

import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.steps.RegistryTags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "list", description = {"List registered models, or one model's versions with gate, approval and aliases.",
        "Exit code 0."})
final class ModelsListCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "A registered model: list its versions, newest first.")
    String model;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            if (model == null) return listModels(s);
            Map<String, String> aliases = s.mlflow.registry().aliases(model);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ModelRef v : s.mlflow.registry().versions(model)) rows.add(ModelsShowCommand.summary(v, aliases));
            if (output.json()) {
                System.out.println(Json.write(Map.of("model", model, "aliases", aliases, "versions", rows)));
                return 0;
            }
            System.out.printf("%-7s  %-10s  %-18s  %-8s  %-22s  %s%n", "version", "date", "holdout", "gate", "approval", "aliases");
            for (Map<String, Object> r : rows) {
                System.out.printf("%-7s  %-10s  %-18s  %-8s  %-22s  %s%n", r.get("version"), r.get("logical_date"), r.get("headline"),
                        r.get("validation_status"), r.get("approval_status"), String.join(",", (List<String>) r.get("aliases")));
            }
            return 0;
        }
    }

    private int listModels(RegistryOptions.Session s) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (var m : s.mlflow.registry().models()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", m.path("name").asText());
            Map<String, String> aliases = new LinkedHashMap<>();
            m.path("aliases").forEach(a -> aliases.put(a.path("alias").asText(), a.path("version").asText()));
            r.put("champion", aliases.get(RegistryTags.CHAMPION));
            r.put("latest", m.path("latest_versions").size() > 0 ? m.path("latest_versions").get(0).path("version").asText() : null);
            r.put("aliases", aliases);
            rows.add(r);
        }
        if (output.json()) {
            System.out.println(Json.write(Map.of("models", rows)));
            return 0;
        }
        System.out.printf("%-32s  %-8s  %-8s%n", "model", "champion", "latest");
        for (Map<String, Object> r : rows) {
            System.out.printf("%-32s  %-8s  %-8s%n", r.get("model"), r.get("champion") == null ? "-" : r.get("champion"),
                    r.get("latest") == null ? "-" : r.get("latest"));
        }
        return 0;
    }
}
