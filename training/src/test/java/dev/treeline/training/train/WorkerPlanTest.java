package dev.treeline.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Workers and threads from the Spark resources unless the spec sets them. */
class WorkerPlanTest {
    @Test
    void unsetValuesComeFromTaskSlots() {
        WorkerPlan local = WorkerPlan.of(0, 0, 1, true, 8, 0, 0);
        assertEquals(new WorkerPlan(1, 8, true), local, "local[8]: one worker with every core, as native XGBoost");
        assertEquals(new WorkerPlan(2, 1), WorkerPlan.of(2, 0, 1, true, 8, 0, 0), "local[8], two workers: spark.task.cpus threads each");
        assertEquals(new WorkerPlan(2, 2), WorkerPlan.of(2, 2, 2, true, 8, 0, 0));
        assertEquals(new WorkerPlan(10, 4), WorkerPlan.of(0, 0, 4, false, 16, 5, 8), "5 executors x 8 cores / 4 per task, not the cores registered so far");
        assertEquals(new WorkerPlan(4, 2), WorkerPlan.of(0, 0, 2, false, 8, 0, 0), "no executor settings: the cores Spark reports");
        assertEquals(new WorkerPlan(1, 4), WorkerPlan.of(0, 0, 4, false, 2, 0, 0), "never below one worker");
    }

    @Test
    void setValuesAreKept() {
        assertEquals(new WorkerPlan(3, 2), WorkerPlan.of(3, 2, 4, true, 8, 0, 0));
    }
}
