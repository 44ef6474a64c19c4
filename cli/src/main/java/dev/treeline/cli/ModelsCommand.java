package dev.treeline.cli;

import picocli.CommandLine.Command;

@Command(name = "models", description = {"Approve, promote, roll back, A/B test and verify models.",
        "Models in the MLflow registry: list, show, approve, reject, promote, rollback, verify, ab start|status|stop, monitor.",
        "Decisions are recorded as MLflow version tags and in the audit log (<workspace>/audit/<model>.jsonl and <model>/audit/ in S3).",
        "Who acts: $TREELINE_USER, else the OS user."},
        subcommands = {ModelsListCommand.class, ModelsShowCommand.class, ModelsApproveCommand.class, ModelsRejectCommand.class,
                ModelsPromoteCommand.class, ModelsRollbackCommand.class, ModelsVerifyCommand.class, ModelsAbCommand.class, ModelsMonitorCommand.class})
final class ModelsCommand {
}
