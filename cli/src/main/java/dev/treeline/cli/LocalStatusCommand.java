package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.local.ServiceStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status", description = {"Show the local stack's URLs, pids and health.", "Exit code 0 when all is healthy, 6 otherwise."})
final class LocalStatusCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin StackOptions ports;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        LocalStack stack = ports.stack(common);
        List<ServiceStatus> status = stack.status();
        if (output.json()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("workspace", stack.stackDir().getParent().toString());
            out.put("services", status);
            System.out.println(Json.write(out));
        } else {
            System.out.println("Local stack in " + stack.stackDir().getParent());
            for (ServiceStatus s : status) {
                System.out.printf("  %-7s %-24s %-10s %s%n", s.name(), s.url() == null ? "-" : s.url(),
                        s.pid() == null ? "-" : "pid " + s.pid(),
                        !s.running() ? "stopped" : s.healthy() ? "healthy" : "running, not answering (log: " + s.log() + ")");
            }
        }
        return status.stream().allMatch(s -> s.running() && s.healthy()) ? 0 : ExitCode.STACK.code();
    }
}
