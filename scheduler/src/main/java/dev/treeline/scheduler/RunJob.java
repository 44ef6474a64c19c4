package dev.treeline.scheduler;

import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/**
 * One attempt of a queued run. Stored with {@code requestsRecovery}: when the controller running it
 * dies, another controller of the cluster (or this one, restarted) runs it again, and the pipeline
 * runner resumes after the last completed step.
 */
public final class RunJob implements Job {
    static final String RUN_ID = "run_id";

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            Controller.of(context.getScheduler()).attempt(context.getMergedJobDataMap().getString(RUN_ID), context.isRecovering());
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
    }
}
