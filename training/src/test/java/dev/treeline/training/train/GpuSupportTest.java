package dev.treeline.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.testing.TestPipelines;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** device: cuda on a machine and build without GPUs: the spec is refused with one line that says why. */
class GpuSupportTest {
    static final String SPEC = TestPipelines.flightsSpec(Path.of("/data/flights.parquet"), 14, null);

    @Test
    void cudaOnTheCpuBuildFailsSpecValidationNamingTheProfile() {
        org.junit.jupiter.api.Assumptions.assumeFalse(GpuSupport.classPathHasGpuBuild(), "runs on the CPU build (the default)");
        String yaml = SPEC.replace("num_workers: 1, nthread: 1, seed: 7}", "num_workers: 1, nthread: 1, seed: 7, device: cuda}");
        assertTrue(yaml.contains("device: cuda"), yaml);
        TreelineException e = assertThrows(TreelineException.class, () -> TestPipelines.loadText(yaml));
        assertEquals(ExitCode.SPEC, e.exitCode());
        int line = lineOf(yaml, "device: cuda");
        assertEquals("test.yaml:" + line + ": steps[4].params.device: device: cuda needs the CUDA build of XGBoost4J-Spark, and this Treeline "
                + "was built without it; build with the gpu profile (mvn -Pgpu package) or set device: cpu", e.getMessage());
    }

    @Test
    void cpuIsTheDefaultAndOtherDevicesAreRefused() {
        TestPipelines.loadText(SPEC.replace("seed: 7}", "seed: 7, device: cpu}"));
        TreelineException e = assertThrows(TreelineException.class, () -> TestPipelines.loadText(SPEC.replace("seed: 7}", "seed: 7, device: tpu}")));
        assertTrue(e.getMessage().contains("steps[4].params.device") && e.getMessage().contains("cpu, cuda"), e.getMessage());
    }

    @Test
    void withTheGpuBuildTheHardwareOrTheClusterResourcesAreChecked() {
        GpuSupport noGpuHere = new GpuSupport(() -> true, () -> false);
        assertEquals(List.of("device: cuda with Spark master local[*] needs an NVIDIA GPU on this machine, and none was found "
                + "(no /dev/nvidia0, no nvidia-smi); set device: cpu, or run on a cluster with GPU executors"),
                noGpuHere.problems("local[*]", Map.of()));
        assertEquals(List.of("device: cuda on spark://m:7077 needs GPUs scheduled by Spark: set spark.task.resource.gpu.amount "
                + "under spark.conf (see docs/training.md)"),
                noGpuHere.problems("spark://m:7077", Map.of("spark.executor.resource.gpu.amount", "1")));
        assertEquals(List.of(), noGpuHere.problems("yarn", Map.of("spark.executor.resource.gpu.amount", "1", "spark.task.resource.gpu.amount", "1")));
        assertEquals(List.of(), new GpuSupport(() -> true, () -> true).problems("local[2]", Map.of()));
    }

    private static int lineOf(String yaml, String text) {
        String[] lines = yaml.split("\n");
        for (int i = 0; i < lines.length; i++) if (lines[i].contains(text)) return i + 1;
        throw new AssertionError(text);
    }
}
