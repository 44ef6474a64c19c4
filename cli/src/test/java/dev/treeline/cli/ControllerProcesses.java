package dev.treeline.cli;

import dev.treeline.pipelines.testing.PostgresFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Controllers as separate {@code treeline scheduler start} processes on the test PostgreSQL, clustered; stopped by {@link #close}. */
final class ControllerProcesses implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();

    /** A schedule file for clustered controllers on the test database; {@code schedules} is the YAML list under {@code schedules:}. */
    static Path scheduleFile(Path dir, String name, int threads, String schedules) throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, """
            controller:
              jdbc_url: %s
              user: %s
              password_file: %s
              clustered: true
              threads: %d
              checkin_interval_millis: 1000
              misfire_threshold_seconds: 1
              metrics_port: 0
            schedules:
            %s""".formatted(pg.url(), PostgresFixture.USER, pg.passwordFile(), threads, schedules));
        return f;
    }

    /** A controller process; its output lines are collected into {@code out}. */
    Process start(Path file, Path workspace, String mlflowUri, List<String> out) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports"))
                .forEach(cmd::add);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Treeline.class.getName(), "scheduler", "start", file.toString(),
                "--workspace", workspace.toString()));
        if (mlflowUri != null) cmd.addAll(List.of("--mlflow-uri", mlflowUri));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) out.add(line);
            } catch (java.io.IOException ignored) {
                // process gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    static void await(BooleanSupplier done, long millis, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(200);
        }
    }

    /** SIGTERM to every controller still running, SIGKILL to any that has not stopped a minute later. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) p.destroy();
        for (Process p : processes) if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
    }
}
