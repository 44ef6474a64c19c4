package dev.treeline.cli;

import picocli.CommandLine.Command;

@Command(name = "scheduler", description = {"Run pipelines on cron schedules (the controller).",
        "Schedules and the controller's database are in a schedule file; see docs/scheduler.md."},
        subcommands = {SchedulerStartCommand.class, SchedulerStatusCommand.class, SchedulerPauseCommand.class, SchedulerResumeCommand.class,
                SchedulerTriggerCommand.class, SchedulerDoctorCommand.class})
final class SchedulerCommand {
}
