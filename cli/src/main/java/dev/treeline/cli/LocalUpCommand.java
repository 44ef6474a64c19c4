package dev.treeline.cli;

import dev.treeline.pipelines.env.StackEndpoints;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "up", description = {"Start the local stack and wait until it is healthy.", "Installs the MLflow server and S3Proxy the first time. Safe to repeat."})
final class LocalUpCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin StackOptions ports;

    @Override
    public Integer call() {
        StackEndpoints e = ports.stack(common).up();
        System.out.println("Local stack is up:");
        System.out.println("  MLflow UI and API  " + e.mlflowUrl());
        System.out.println("  S3 API             " + e.s3Endpoint() + "  (bucket treeline-models; credentials in " + e.s3CredentialsFile() + ")");
        return 0;
    }
}
