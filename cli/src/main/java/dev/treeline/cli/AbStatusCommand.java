package dev.treeline.cli;

import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.s3.Routing;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "status", description = {"Show routing.json: the variants, their weights, and when the test started or ended.", "Exit code 0."})
final class AbStatusCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "MODEL") String model;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            Optional<Routing> r = s.lifecycle(model).abStatus(model);
            var pub = s.publisher(model);
            if (output.json()) {
                System.out.println(r.map(Json::write).orElse("{\"model\":" + Json.canonical(model) + ",\"status\":\"none\"}"));
            } else if (r.isEmpty()) {
                System.out.println(model + ": no A/B test (no " + pub.location(pub.routingKey(model)) + ")");
            } else {
                print(r.get(), pub.location(pub.routingKey(model)));
            }
            return 0;
        }
    }

    static void print(Routing r, String where) {
        System.out.println(r.model() + ": A/B test " + r.experiment() + " " + r.status() + (r.outcome() == null ? "" : " (" + r.outcome() + ")")
                + ", started " + r.startedAt() + (r.endedAt() == null ? "" : ", ended " + r.endedAt()) + "  [" + where + "]");
        for (Routing.Variant v : r.variants()) {
            System.out.printf("  %-10s  version %-5s  %3d%%  %s%n", v.name(), v.version(), v.weight(), v.prefix());
        }
    }
}
