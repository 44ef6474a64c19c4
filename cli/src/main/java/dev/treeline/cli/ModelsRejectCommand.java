package dev.treeline.cli;

import dev.treeline.registry.review.Approval;
import dev.treeline.registry.review.ModelLifecycle;
import picocli.CommandLine.Command;

@Command(name = "reject", description = {"Reject a version (approval_status Rejected); it can then never be promoted or take traffic.",
        "Exit code 0, or 1 when refused (e.g. the version is the champion)."})
final class ModelsRejectCommand extends ApprovalDecisionCommand {
    @Override
    Approval decide(ModelLifecycle lifecycle, String model, String version) {
        lifecycle.reject(model, version, comment);
        return Approval.Rejected;
    }
}
