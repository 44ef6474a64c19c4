package dev.treeline.scheduler;

import java.time.LocalDate;

/** Runs a schedule's pipeline for one logical date (in this process, or on a cluster). */
@FunctionalInterface
public interface PipelineLauncher {
    void launch(ScheduleSpec schedule, LocalDate logicalDate) throws Exception;
}
