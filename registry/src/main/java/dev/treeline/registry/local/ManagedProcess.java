package dev.treeline.registry.local;

import dev.treeline.pipelines.util.Processes;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Background server processes the stack starts and later stops. They run in their own session (setsid),
 * so closing the terminal or Ctrl-C in it leaves them running, and they are recognised by a marker in
 * their command line, so a recycled pid is never killed by mistake.
 */
final class ManagedProcess {
    private ManagedProcess() {}

    static long start(List<String> command, Map<String, String> env, Path log, Path workDir) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(workDir.toFile())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "\n--- started by treeline: " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return pb.start().pid();
        } catch (IOException e) {
            throw new StackException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** The process is alive and is the one we started (its command line contains {@code marker}). */
    static boolean isOurs(long pid, String marker) {
        return Processes.isOurs(pid, marker);
    }

    static boolean isAlive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Stops the process and everything it started; SIGTERM first, SIGKILL after {@code graceMillis}. */
    static void stop(long pid, long graceMillis) {
        Optional<ProcessHandle> root = ProcessHandle.of(pid);
        if (root.isEmpty()) return;
        List<ProcessHandle> all = new ArrayList<>(root.get().descendants().toList());
        all.add(0, root.get());
        all.forEach(ProcessHandle::destroy);
        long deadline = System.currentTimeMillis() + graceMillis;
        while (System.currentTimeMillis() < deadline && all.stream().anyMatch(ProcessHandle::isAlive)) {
            sleep(100);
        }
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    static List<String> tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(no log at " + log + ")");
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted");
        }
    }
}
