package dev.treeline.cli;

import picocli.CommandLine.Command;

@Command(name = "ab", description = {"A/B test a challenger against the champion on part of the traffic (routing.json in S3)."},
        subcommands = {AbStartCommand.class, AbStatusCommand.class, AbStopCommand.class})
final class ModelsAbCommand {
}
