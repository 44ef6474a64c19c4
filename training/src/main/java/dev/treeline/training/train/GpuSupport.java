package dev.treeline.training.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Whether {@code device: cuda} can run: the CUDA build of XGBoost4J-Spark on the class path (the
 * {@code gpu} Maven profile), and GPUs where the work runs — on this machine for a local master, as
 * Spark resources on a cluster. Each problem is one message saying what is missing and what to do.
 */
final class GpuSupport {
    static final String GPU_PLUGIN = "ml.dmlc.xgboost4j.scala.spark.GpuXGBoostPlugin";
    static final List<String> CLUSTER_KEYS = List.of("spark.executor.resource.gpu.amount", "spark.task.resource.gpu.amount");

    private final BooleanSupplier gpuBuild;
    private final BooleanSupplier localGpu;

    GpuSupport(BooleanSupplier gpuBuild, BooleanSupplier localGpu) {
        this.gpuBuild = gpuBuild;
        this.localGpu = localGpu;
    }

    static GpuSupport system() {
        return new GpuSupport(GpuSupport::classPathHasGpuBuild, GpuSupport::machineHasNvidiaGpu);
    }

    /** The problems with running on GPUs under {@code master} with {@code conf}; empty when there are none. */
    List<String> problems(String master, Map<String, String> conf) {
        List<String> out = new ArrayList<>();
        if (!gpuBuild.getAsBoolean()) {
            out.add("device: cuda needs the CUDA build of XGBoost4J-Spark, and this Treeline was built without it; "
                    + "build with the gpu profile (mvn -Pgpu package) or set device: cpu");
            return out;
        }
        if (master.startsWith("local")) {
            if (!localGpu.getAsBoolean()) {
                out.add("device: cuda with Spark master " + master + " needs an NVIDIA GPU on this machine, and none was found "
                        + "(no /dev/nvidia0, no nvidia-smi); set device: cpu, or run on a cluster with GPU executors");
            }
        } else {
            List<String> missing = CLUSTER_KEYS.stream().filter(k -> !conf.containsKey(k)).toList();
            if (!missing.isEmpty()) {
                out.add("device: cuda on " + master + " needs GPUs scheduled by Spark: set " + String.join(" and ", missing)
                        + " under spark.conf (see docs/training.md)");
            }
        }
        return out;
    }

    static boolean classPathHasGpuBuild() {
        try {
            Class.forName(GPU_PLUGIN, false, GpuSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static boolean machineHasNvidiaGpu() {
        if (Files.exists(Path.of("/dev/nvidia0"))) return true;
        try {
            Process p = new ProcessBuilder("nvidia-smi", "-L").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor() == 0 && out.contains("GPU ");
        } catch (Exception e) {
            return false;
        }
    }
}
