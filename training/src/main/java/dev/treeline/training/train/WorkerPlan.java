package dev.treeline.training.train;

/**
 * How many XGBoost workers (one Spark task each) and threads per worker to train with. Unset values (0)
 * come from Spark. On a cluster: a worker per task slot (cores / {@code spark.task.cpus}) with as many
 * threads as each task has CPUs, so XGBoost neither waits for slots that do not exist nor oversubscribes
 * cores. With a local master everything shares one process: one worker with a thread per core of the
 * master ({@code wholeProcess}), native XGBoost's own setting — several workers in one process would
 * only add their histogram exchange.
 */
record WorkerPlan(int numWorkers, int nthread, boolean wholeProcess) {

    WorkerPlan(int numWorkers, int nthread) {
        this(numWorkers, nthread, false);
    }

    static WorkerPlan of(int numWorkers, int nthread, int taskCpus, boolean local, int defaultParallelism, int executors, int executorCores) {
        if (local) {
            if (numWorkers <= 1 && nthread == 0) return new WorkerPlan(1, defaultParallelism, true);
            int workers = Math.max(1, numWorkers);
            return new WorkerPlan(workers, nthread > 0 ? nthread : Math.max(1, Math.min(taskCpus, defaultParallelism / workers)));
        }
        int threads = nthread > 0 ? nthread : taskCpus;
        int cores = executors > 0 && executorCores > 0 ? executors * executorCores : defaultParallelism;
        int workers = numWorkers > 0 ? numWorkers : Math.max(1, cores / taskCpus);
        return new WorkerPlan(workers, threads);
    }
}
