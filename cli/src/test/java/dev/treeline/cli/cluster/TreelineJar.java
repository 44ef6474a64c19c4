package dev.treeline.cli.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The runnable distribution (target/treeline.jar with target/lib/), run as a child process the way ./treeline runs it. */
public final class TreelineJar {
    private TreelineJar() {}

    public record Result(int code, String output, double seconds) {}

    public static Path jar() {
        Path jar = Path.of("target", "treeline.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) throw new IllegalStateException(jar + " is missing: integration tests run after 'package'");
        return jar;
    }

    public static Process start(Path log, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String opens = System.getProperty("treeline.jvm.opens", "");
        if (!opens.isBlank()) cmd.addAll(Arrays.asList(opens.trim().split("\\s+")));
        cmd.addAll(List.of("-Xmx2g", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        try {
            Files.createDirectories(log.getParent());
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for {@code p}; a process still running at the timeout is killed and reported as a hang. */
    public static Result await(Process p, Path log, Instant started, Duration timeout) throws InterruptedException {
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("treeline did not end within " + timeout + " (a hang); output in " + log + ":\n" + tail(log));
        }
        return new Result(p.exitValue(), read(log), Duration.between(started, Instant.now()).toMillis() / 1000.0);
    }

    public static Result run(Path log, Map<String, String> env, Duration timeout, String... args) throws InterruptedException {
        Instant start = Instant.now();
        return await(start(log, env, args), log, start, timeout);
    }

    public static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String tail(Path log) {
        String s = read(log);
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }
}
