package dev.treeline.training.train;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.step.StepContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scala.Tuple2;

/** The Spark resources a training step's XGBoost workers need, checked against the session it runs in. */
final class WorkerResources {
    private WorkerResources() {}

    /** XGBoost's training is a barrier stage: all workers need a slot at once, or it waits. Fail fast instead. */
    static WorkerPlan check(StepContext ctx, TrainParams params) {
        var conf = ctx.spark().sparkContext().getConf();
        if (params.device().equals("cuda")) {
            Map<String, String> all = new LinkedHashMap<>();
            for (Tuple2<String, String> kv : conf.getAll()) all.put(kv._1(), kv._2());
            List<String> problems = GpuSupport.system().problems(ctx.spark().sparkContext().master(), all);
            if (!problems.isEmpty()) {
                throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': " + problems.get(0));
            }
        }
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        String master = ctx.spark().sparkContext().master();
        boolean local = master.startsWith("local");
        if (params.nthread() > taskCpus) {
            throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': nthread "
                    + params.nthread() + " is more than spark.task.cpus " + taskCpus + "; set spark.conf.spark.task.cpus: \""
                    + params.nthread() + "\" in the spec, lower nthread, or leave it unset");
        }
        int executorCores = conf.getInt("spark.executor.cores", 0);
        int executors = conf.getInt("spark.executor.instances", 0);
        int cores = ctx.spark().sparkContext().defaultParallelism();
        WorkerPlan plan = WorkerPlan.of(params.numWorkers(), params.nthread(), taskCpus, local, cores, executors, executorCores);
        if (local) {
            int slots = cores / taskCpus;
            if (plan.numWorkers() > slots) {
                throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': num_workers "
                        + plan.numWorkers() + " needs " + plan.numWorkers() + " task slots at once, but " + master
                        + " has " + slots + " (cores " + cores + " / spark.task.cpus " + taskCpus + "); lower num_workers");
            }
            if (plan.numWorkers() * plan.nthread() > cores) {
                throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': num_workers "
                        + plan.numWorkers() + " x nthread " + plan.nthread() + " threads is more than the " + cores + " cores of " + master
                        + "; lower nthread (or leave num_workers and nthread unset: one worker with every core)");
            }
        }
        return plan;
    }
}
