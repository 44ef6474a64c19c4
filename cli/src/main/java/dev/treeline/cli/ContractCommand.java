package dev.treeline.cli;

import picocli.CommandLine.Command;

@Command(name = "contract", description = "Data contracts: draft one from data.", subcommands = {ContractInferCommand.class})
final class ContractCommand {
}
