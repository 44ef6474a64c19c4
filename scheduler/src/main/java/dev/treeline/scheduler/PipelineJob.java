package dev.treeline.scheduler;

import java.time.LocalDate;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Quartz job of one schedule: computes the logical date from the scheduled fire time and launches. */
@DisallowConcurrentExecution
public final class PipelineJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineJob.class);

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        Controller controller;
        try {
            controller = (Controller) context.getScheduler().getContext().get(Controller.CONTEXT_KEY);
        } catch (org.quartz.SchedulerException e) {
            throw new JobExecutionException(e);
        }
        String name = context.getJobDetail().getKey().getName();
        ScheduleSpec schedule = controller.schedule(name);
        // The scheduled time, not "now": a late fire still runs the date it was meant for.
        LocalDate date = schedule.logicalDate(context.getScheduledFireTime());
        controller.launched(name, date);
        try {
            controller.launcher().launch(schedule, date);
        } catch (Exception e) {
            LOG.error("schedule {} for {} failed: {}", name, date, e.getMessage());
            controller.progress().info("schedule " + name + " " + date + ": failed: " + e.getMessage());
        }
    }
}
