package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Redaction;
import java.util.Properties;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;

/** A Quartz scheduler on the controller's database (JDBC job store), clustered when the settings say so. */
final class QuartzSetup {
    static final String NAME = "treeline";
    /** What Quartz adds to a check-in interval before it treats an instance as failed (JobStoreSupport.calcFailedIfAfter). */
    static final long FAILURE_GRACE_MILLIS = 7_500;

    private QuartzSetup() {}

    /**
     * Whether a controller counts as alive: by Quartz's own rule, it checked in within its interval plus
     * Quartz's grace. A stricter rule reports a controller gone that Quartz (and its recovery) still
     * treats as alive, e.g. while a busy machine delays its check-in thread by a few seconds.
     */
    static boolean alive(long lastCheckinMillis, long checkinIntervalMillis, long nowMillis) {
        return nowMillis <= lastCheckinMillis + checkinIntervalMillis + FAILURE_GRACE_MILLIS;
    }

    /** {@code threads} 0 makes a client: it reads and changes the job store (pause, trigger, doctor) and never runs jobs. */
    /** How long an idle controller waits before looking for triggers other processes added. */
    static final long IDLE_WAIT_MILLIS = 3_000;

    static Scheduler create(ControllerSettings s, String instanceId, int threads) {
        return create(s, instanceId, threads, false);
    }

    /**
     * {@code own}: a new instance even if this JVM has one of the name (a controller never runs on a
     * client's instance); otherwise Quartz hands out the JVM's existing instance.
     */
    static Scheduler create(ControllerSettings s, String instanceId, int threads, boolean own) {
        if (own) SchedulerRepository.getInstance().remove(NAME);
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", NAME);
        p.setProperty("org.quartz.scheduler.instanceId", instanceId);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(Math.max(1, threads)));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", s.postgres() ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"
                : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
        // Data sources are registered JVM-wide by name: each instance gets its own, or closing one closes the other's.
        String ds = "ds_" + instanceId.replaceAll("[^A-Za-z0-9_]", "_");
        p.setProperty("org.quartz.jobStore.dataSource", ds);
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(s.misfireThreshold().toMillis()));
        p.setProperty("org.quartz.jobStore.isClustered", Boolean.toString(s.clustered()));
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(s.checkinInterval().toMillis()));
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        // Runs queued by another process (trigger, backfill, retry from the CLI) signal nothing to this one: an idle
        // controller looks for new triggers this often (Quartz's default, 30 s, makes `scheduler trigger` seem stuck).
        p.setProperty("org.quartz.scheduler.idleWaitTime", Long.toString(IDLE_WAIT_MILLIS));
        p.setProperty("org.quartz.dataSource." + ds + ".provider", "hikaricp");
        p.setProperty("org.quartz.dataSource." + ds + ".driver", s.postgres() ? "org.postgresql.Driver" : "org.h2.Driver");
        p.setProperty("org.quartz.dataSource." + ds + ".URL", s.jdbcUrl());
        p.setProperty("org.quartz.dataSource." + ds + ".user", s.user());
        p.setProperty("org.quartz.dataSource." + ds + ".password", s.password());
        p.setProperty("org.quartz.dataSource." + ds + ".maxConnections", Integer.toString(Math.max(3, threads + 2)));
        try {
            // A private factory: the default repository would hand back another instance of the same name in this JVM.
            StdSchedulerFactory f = new StdSchedulerFactory(p);
            return f.getScheduler();
        } catch (SchedulerException e) {
            throw new TreelineException(ExitCode.SERVICE, "cannot open the Quartz job store in " + s.displayUrl() + ": " + Redaction.text(e.getMessage()), e);
        }
    }
}
