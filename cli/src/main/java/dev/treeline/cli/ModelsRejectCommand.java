package dev.treeline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "reject", description = {"Reject a version (approval_status Rejected); it can then never be promoted or take traffic.",
        "Exit code 0, or 1 when refused (e.g. the version is the champion)."})
final class ModelsRejectCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "MODEL") String model;
    @Parameters(index = "1", paramLabel = "VERSION") String version;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded on the version and in the audit log.")
    String comment;

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            s.lifecycle(model).reject(model, version, comment);
            System.out.println(model + " version " + version + ": Rejected by " + dev.treeline.registry.review.ModelLifecycle.actor(System::getenv));
            return 0;
        }
    }
}
