package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.run.Progress;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.CountDownLatch;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * The first controller: Quartz with an in-memory job store, one cron trigger per enabled schedule,
 * each fire launching the schedule's pipeline for its logical date. One fire at a time per schedule.
 */
public final class Controller implements AutoCloseable {
    static final String CONTEXT_KEY = "treeline.controller";

    private final Map<String, ScheduleSpec> schedules = new LinkedHashMap<>();
    private final PipelineLauncher launcher;
    private final Progress progress;
    private final List<String> launched = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Scheduler scheduler;

    public Controller(List<ScheduleSpec> schedules, PipelineLauncher launcher, Progress progress) {
        schedules.forEach(s -> this.schedules.put(s.name(), s));
        this.launcher = launcher;
        this.progress = progress;
    }

    public void start() {
        try {
            Properties p = new Properties();
            p.setProperty("org.quartz.scheduler.instanceName", "treeline");
            p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
            p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(Math.max(1, Math.min(4, schedules.size()))));
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
            scheduler = new StdSchedulerFactory(p).getScheduler();
            scheduler.getContext().put(CONTEXT_KEY, this);
            for (ScheduleSpec s : schedules.values()) {
                if (!s.enabled()) {
                    progress.info("schedule " + s.name() + ": disabled");
                    continue;
                }
                JobDetail job = JobBuilder.newJob(PipelineJob.class).withIdentity(s.name(), "pipelines").build();
                Trigger trigger = TriggerBuilder.newTrigger().withIdentity(s.name(), "pipelines")
                        .withSchedule(CronScheduleBuilder.cronSchedule(s.cron()).inTimeZone(TimeZone.getTimeZone(s.timeZone())))
                        .build();
                scheduler.scheduleJob(job, trigger);
                progress.info("schedule " + s.name() + ": " + s.pipeline() + " at '" + s.cron() + "' " + s.timeZone()
                        + ", next " + trigger.getNextFireTime().toInstant());
            }
            scheduler.start();
        } catch (SchedulerException e) {
            throw new TreelineException(ExitCode.FAILURE, "cannot start the scheduler: " + e.getMessage(), e);
        }
    }

    /** Blocks until {@link #close()} (the CLI calls it from a shutdown hook on SIGTERM or Ctrl-C). */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    /** Stops taking new fires and waits for the running one to finish. */
    @Override
    public void close() {
        try {
            if (scheduler != null && !scheduler.isShutdown()) scheduler.shutdown(true);
        } catch (SchedulerException e) {
            throw new TreelineException(ExitCode.FAILURE, "scheduler did not shut down cleanly: " + e.getMessage(), e);
        } finally {
            stopped.countDown();
        }
    }

    ScheduleSpec schedule(String name) {
        return schedules.get(name);
    }

    PipelineLauncher launcher() {
        return launcher;
    }

    Progress progress() {
        return progress;
    }

    void launched(String name, LocalDate date) {
        launched.add(name + " " + date);
        progress.info("schedule " + name + ": fired for logical date " + date);
    }

    /** "schedule date" for each fire so far, in order. */
    public List<String> launches() {
        return List.copyOf(launched);
    }
}
