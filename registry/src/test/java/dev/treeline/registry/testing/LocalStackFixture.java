package dev.treeline.registry.testing;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.env.StackEndpoints;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.registry.local.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real MLflow server and S3Proxy on free loopback ports, one per test JVM, started through the same
 * {@link LocalStack} users run, sharing the download cache (venv, jar) with them. Stopped at JVM exit.
 */
public final class LocalStackFixture {
    private static LocalStackFixture instance;

    private final Path workspace;
    private final LocalStack stack;
    private final StackEndpoints endpoints;

    private LocalStackFixture(Path workspace) {
        this.workspace = workspace;
        Path cache = EnvironmentResolver.system().cacheDir();
        this.stack = new LocalStack(workspace, cache, LocalStack.freePort(), LocalStack.freePort(), List.of(LocalStack.DEFAULT_BUCKET),
                Progress.to(System.out));
        this.endpoints = stack.up();
        Runtime.getRuntime().addShutdownHook(new Thread(stack::down));
    }

    public static synchronized LocalStackFixture get() {
        if (instance == null) {
            try {
                Path base = Path.of("target").toAbsolutePath();
                Files.createDirectories(base);
                instance = new LocalStackFixture(Files.createTempDirectory(base, "stack-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    public Path workspace() {
        return workspace;
    }

    public LocalStack stack() {
        return stack;
    }

    public StackEndpoints endpoints() {
        return endpoints;
    }

    /**
     * Settings a command would resolve in {@code workspace} with nothing configured but this stack.
     * The workspace's stack file is shared by linking it, so each test gets its own runs and data.
     */
    public Environment environment(Path otherWorkspace) {
        try {
            Path endpointsFile = otherWorkspace.resolve(StackEndpoints.FILE);
            Files.createDirectories(endpointsFile.getParent());
            Files.copy(workspace.resolve(StackEndpoints.FILE), endpointsFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> none = Map.of();
        return new EnvironmentResolver(none::get).resolve(otherWorkspace, null, null, Map.of());
    }
}
