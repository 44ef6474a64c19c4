package dev.treeline.training.train;

/**
 * How many XGBoost workers (one Spark task each) and threads per worker to train with. Unset values
 * (0) come from Spark: a worker per task slot (cores / {@code spark.task.cpus}), and as many threads as
 * each task has CPUs, so XGBoost neither waits for slots that do not exist nor oversubscribes cores.
 */
record WorkerPlan(int numWorkers, int nthread) {

    static WorkerPlan of(int numWorkers, int nthread, int taskCpus, boolean local, int defaultParallelism, int executors, int executorCores) {
        int threads = nthread > 0 ? nthread : taskCpus;
        int cores = !local && executors > 0 && executorCores > 0 ? executors * executorCores : defaultParallelism;
        int workers = numWorkers > 0 ? numWorkers : Math.max(1, cores / taskCpus);
        return new WorkerPlan(workers, threads);
    }
}
