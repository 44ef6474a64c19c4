package dev.treeline.pipelines.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Local processes recognised by a marker in their command line, so a recycled pid is never taken for ours. */
public final class Processes {
    private Processes() {}

    /** The process is alive and its command line contains {@code marker}. */
    public static boolean isOurs(long pid, String marker) {
        if (pid <= 0) return false;
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return false;
        return commandLine(pid).contains(marker);
    }

    public static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("");
        }
    }
}
