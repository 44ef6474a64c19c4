package dev.treeline.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "down", description = {"Stop the local stack.", "Stops only the processes it started; data stays in the workspace."})
final class LocalDownCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin StackOptions ports;

    @Override
    public Integer call() {
        List<String> stopped = ports.stack(common).down();
        System.out.println(stopped.isEmpty() ? "The local stack was not running." : "Stopped " + String.join(", ", stopped) + ".");
        return 0;
    }
}
