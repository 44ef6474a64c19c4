package dev.treeline.scheduler;

import java.time.LocalDate;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/** A schedule's cron fire: queues a run for the fire's logical date (unless one is queued or running) and starts it. */
@DisallowConcurrentExecution
public final class FireJob implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            Controller controller = Controller.of(context.getScheduler());
            String name = context.getJobDetail().getKey().getName();
            ScheduleSpec schedule = controller.schedule(name);
            if (schedule == null) return; // removed from the file; the controller unschedules it at start
            // The scheduled time, not "now": a late fire still runs the date it was meant for.
            LocalDate date = schedule.logicalDate(context.getScheduledFireTime());
            // Queued first, then recorded: a crash between the two leaves a fire that catch_up queues again (the date's
            // run is deduplicated, or finds the date done), never a recorded fire whose run was never queued.
            controller.queue(schedule, date, "scheduled", false, null, null);
            controller.runs().recordFire(name, context.getScheduledFireTime().toInstant());
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
    }
}
