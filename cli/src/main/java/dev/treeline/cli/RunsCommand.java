package dev.treeline.cli;

import picocli.CommandLine.Command;

@Command(name = "runs", description = {"The controller's runs: list, show, retry, cancel.",
        "Runs of scheduled, manual and backfill fires, from the runs table in the controller's database."},
        subcommands = {RunsListCommand.class, RunsShowCommand.class, RunsRetryCommand.class, RunsCancelCommand.class})
final class RunsCommand {
}
