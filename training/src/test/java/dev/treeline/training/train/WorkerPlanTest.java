package dev.treeline.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Workers and threads from the Spark resources unless the spec sets them. */
class WorkerPlanTest {
    @Test
    void unsetValuesComeFromTaskSlots() {
        assertEquals(new WorkerPlan(8, 1), WorkerPlan.of(0, 0, 1, true, 8, 0, 0), "local[8]: a worker per core, one thread each");
        assertEquals(new WorkerPlan(2, 4), WorkerPlan.of(0, 0, 4, true, 8, 0, 0), "spark.task.cpus 4: two slots of four threads");
        assertEquals(new WorkerPlan(10, 4), WorkerPlan.of(0, 0, 4, false, 16, 5, 8), "5 executors x 8 cores / 4 per task, not the cores registered so far");
        assertEquals(new WorkerPlan(4, 2), WorkerPlan.of(0, 0, 2, false, 8, 0, 0), "no executor settings: the cores Spark reports");
        assertEquals(new WorkerPlan(1, 4), WorkerPlan.of(0, 0, 4, true, 2, 0, 0), "never below one worker");
    }

    @Test
    void setValuesAreKept() {
        assertEquals(new WorkerPlan(3, 2), WorkerPlan.of(3, 2, 4, true, 8, 0, 0));
    }
}
