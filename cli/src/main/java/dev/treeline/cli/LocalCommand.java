package dev.treeline.cli;

import picocli.CommandLine.Command;

@Command(name = "local", description = {"Start, stop and inspect the local MLflow + S3 stack.", "An MLflow tracking server and S3Proxy on 127.0.0.1, data under the workspace."},
        subcommands = {LocalUpCommand.class, LocalDownCommand.class, LocalStatusCommand.class})
final class LocalCommand {
}
