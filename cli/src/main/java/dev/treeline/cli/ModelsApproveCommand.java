package dev.treeline.cli;

import dev.treeline.registry.review.Approval;
import dev.treeline.registry.review.ModelLifecycle;
import picocli.CommandLine.Command;

@Command(name = "approve", description = {"Approve a version that passed the gate (approval_status Approved, with who, when and the comment).",
        "Exit code 0, or 1 when refused (e.g. the version failed the gate)."})
final class ModelsApproveCommand extends ApprovalDecisionCommand {
    @Override
    Approval decide(ModelLifecycle lifecycle, String model, String version) {
        lifecycle.approve(model, version, comment);
        return Approval.Approved;
    }
}
