package dev.treeline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.local.ServiceStatus;
import dev.treeline.registry.testing.LocalStackFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackTest {
    @TempDir Path tmp;

    @Test
    void upIsIdempotentAndStatusReportsHealthyServices() {
        LocalStackFixture f = LocalStackFixture.get();
        List<String> lines = new ArrayList<>();
        LocalStack again = new LocalStack(f.workspace(), EnvironmentResolver.system().cacheDir(), 1, 1, List.of(LocalStack.DEFAULT_BUCKET), lines::add);
        // Ports 1/1 would fail if it tried to start anything: it must reuse the running services.
        assertEquals(f.endpoints(), again.up());
        assertEquals(List.of(), lines);
        List<ServiceStatus> status = again.status();
        assertEquals(List.of("mlflow", "s3"), status.stream().map(ServiceStatus::name).toList());
        assertTrue(status.stream().allMatch(s -> s.running() && s.healthy()), status.toString());
    }

    @Test
    void takenPortIsAStackErrorNamingPortAndFix() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            LocalStack stack = new LocalStack(tmp.resolve("ws"), EnvironmentResolver.system().cacheDir(), port, LocalStack.freePort(), List.of(), Progress.SILENT);
            TreelineException e = assertThrows(TreelineException.class, stack::up);
            assertEquals(ExitCode.STACK, e.exitCode());
            assertEquals("port " + port + " on 127.0.0.1 is already in use by another process, so MLflow cannot start there; "
                    + "stop that process, or choose another port with --mlflow-port or TREELINE_MLFLOW_PORT", e.getMessage());
        }
    }

    @Test
    void downOnAWorkspaceWithoutAStackStopsNothing() {
        LocalStack stack = new LocalStack(tmp.resolve("empty"), EnvironmentResolver.system().cacheDir(), 1, 1, List.of(), Progress.SILENT);
        assertEquals(List.of(), stack.down());
        assertTrue(stack.status().stream().noneMatch(ServiceStatus::running));
    }
}
