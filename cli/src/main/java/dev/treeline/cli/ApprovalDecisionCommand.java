package dev.treeline.cli;

import dev.treeline.registry.review.Approval;
import dev.treeline.registry.review.ModelLifecycle;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code models approve} and {@code models reject} share: the version, the comment, the decision recorded and printed. */
abstract class ApprovalDecisionCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Mixin ModelVersionArgs args;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded on the version and in the audit log.")
    String comment;

    @Mixin OutputOption output;

    /** Records the decision on {@code version} (a number) of {@code model}. */
    abstract Approval decide(ModelLifecycle lifecycle, String model, String version);

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            String model = args.model;
            String version = args.resolve(s);
            Approval decision = decide(s.lifecycle(model), model, version);
            String by = ModelLifecycle.actor(System::getenv);
            output.print(Map.of("model", model, "version", version, "approval", decision.name(), "by", by), model + " version " + version + ": " + decision + " by " + by);
            return 0;
        }
    }
}
