package dev.treeline.cli;

import dev.treeline.registry.review.Approval;
import dev.treeline.registry.review.ModelLifecycle;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What {@code models approve} and {@code models reject} share: the version, the comment, the decision recorded and printed. */
abstract class ApprovalDecisionCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "MODEL") String model;
    @Parameters(index = "1", paramLabel = "VERSION") String version;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded on the version and in the audit log.")
    String comment;

    abstract Approval decide(ModelLifecycle lifecycle);

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            Approval decision = decide(s.lifecycle(model));
            System.out.println(model + " version " + version + ": " + decision + " by " + ModelLifecycle.actor(System::getenv));
            return 0;
        }
    }
}
