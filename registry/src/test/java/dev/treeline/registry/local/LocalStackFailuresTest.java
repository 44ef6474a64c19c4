package dev.treeline.registry.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.run.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the local stack reports what it cannot do. */
class LocalStackFailuresTest {
    @TempDir Path tmp;

    @Test
    void missingPythonNamesWhatWasTriedAndHowToInstallIt() {
        StackException e = assertThrows(StackException.class, () -> Installer.findPython(List.of("no-such-python-3")));
        assertEquals(ExitCode.STACK, e.exitCode());
        assertEquals("Python 3.9 or newer was not found on PATH (tried no-such-python-3); the local MLflow server needs it: "
                + "install Python 3.11 with pip and venv (Debian: apt-get install python3 python3-venv python3-pip)", e.getMessage());
    }

    @Test
    void mlflowThatDiesOnStartShowsTheTailOfItsLogAndWhereTheLogIs() throws Exception {
        // A venv whose python fails the way a broken MLflow install does.
        Path cache = tmp.resolve("cache");
        Path venv = new Installer(cache, Progress.SILENT).venvDir();
        Files.createDirectories(venv.resolve("bin"));
        Files.writeString(venv.resolve(".complete"), "fake\n");
        Path python = venv.resolve("bin/python");
        Files.writeString(python, "#!/bin/sh\necho 'Traceback (most recent call last):'\necho 'ModuleNotFoundError: No module named mlflow'\nexit 1\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));

        LocalStack stack = new LocalStack(tmp.resolve("ws"), cache, LocalStack.freePort(), LocalStack.freePort(), List.of(), Progress.SILENT);
        StackException e = assertThrows(StackException.class, stack::up);
        Path log = tmp.resolve("ws/stack/mlflow/mlflow.log");
        assertTrue(e.getMessage().startsWith("MLflow exited while starting; last lines of " + log + ":\n"), e.getMessage());
        assertTrue(e.getMessage().contains("  ModuleNotFoundError: No module named mlflow\n"), e.getMessage());
        assertTrue(e.getMessage().endsWith("full log: " + log), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("ws/stack/endpoints.json")), "a failed up publishes no endpoints");
    }
}
