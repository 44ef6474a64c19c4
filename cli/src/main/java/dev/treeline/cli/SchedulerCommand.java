package dev.treeline.cli;

import picocli.CommandLine.Command;

@Command(name = "scheduler", description = "Run pipelines on cron schedules (the controller).", subcommands = {SchedulerStartCommand.class})
final class SchedulerCommand {
}
