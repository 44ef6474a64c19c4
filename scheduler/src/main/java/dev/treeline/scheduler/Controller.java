package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.step.StepTypeNames;
import dev.treeline.pipelines.util.Redaction;
import dev.treeline.scheduler.alerts.AlertSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * The controller: Quartz on the JDBC job store fires each schedule's cron trigger; a fire queues a run
 * in the runs table and starts it as a one-shot, recoverable Quartz job; a run that finds no free slot
 * waits as its row in the runs table, and each controller's dispatcher starts waiting runs, oldest
 * first, as slots free up; the run's attempts go through
 * a {@link RunExecutor}, failed attempts are retried with backoff as new triggers (so a retry survives a
 * restart), deadlines and cancel requests stop a run. Missed fires follow the schedule's misfire policy;
 * {@code catch_up} is ours (Quartz has none): the missed fire times since the last recorded fire are
 * queued at start, oldest first.
 */
public final class Controller implements AutoCloseable {
    static final String CONTEXT_KEY = "treeline.controller";
    static final String SCHEDULES = "treeline-schedules";
    static final String RUNS = "treeline-runs";
    static final String SPEC_HASH = "spec_hash";

    private final ControllerSettings settings;
    private final Map<String, ScheduleSpec> schedules = new LinkedHashMap<>();
    private final SchedulerDatabase db;
    private final RunsTable runs;
    private final RunExecutor executor;
    private final Progress progress;
    private final String instanceId;
    private final ControllerMetrics metrics;
    private final Alerts alerts;
    /** When this controller last looked for late schedules and silent controllers. */
    private volatile Instant lastChecks = Instant.EPOCH;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    /** Attempts running in this controller; close() waits for them before closing the database. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private Scheduler scheduler;
    private volatile Instant lastBeat = Instant.EPOCH;
    private volatile String beatError;
    /** Keeps this controller's heartbeat fresh in the runs database. */
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "treeline-heartbeat");
        t.setDaemon(true);
        return t;
    });
    /** Starts waiting runs; its own thread, so a slow query never delays a heartbeat. */
    private final ScheduledExecutorService dispatcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "treeline-dispatch");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean dispatchPending = new AtomicBoolean();

    public Controller(ControllerSettings settings, List<ScheduleSpec> schedules, RunExecutor executor, Progress progress) {
        this(settings, schedules, AlertSettings.NONE, executor, progress);
    }

    public Controller(ControllerSettings settings, List<ScheduleSpec> schedules, AlertSettings alertSettings, RunExecutor executor, Progress progress) {
        this.settings = settings;
        schedules.forEach(s -> this.schedules.put(s.name(), s));
        this.executor = executor;
        this.progress = progress;
        this.instanceId = instanceName();
        this.db = new SchedulerDatabase(settings);
        this.runs = new RunsTable(db);
        this.metrics = new ControllerMetrics(runs, this.schedules.keySet());
        this.alerts = new Alerts(alertSettings, new IncidentsTable(runs), progress, metrics::recordAlert);
        metrics.watchControllers(runs, this::ownerExpiry);
    }

    static Controller of(Scheduler s) throws SchedulerException {
        return (Controller) s.getContext().get(CONTEXT_KEY);
    }

    private static String instanceName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + Long.toString(System.nanoTime() % 100_000, 36);
    }

    public String instanceId() {
        return instanceId;
    }

    public RunsTable runs() {
        return runs;
    }

    public ControllerMetrics metrics() {
        return metrics;
    }

    ScheduleSpec schedule(String name) {
        return schedules.get(name);
    }

    /**
     * How long a controller's heartbeat may be silent before others take over what it was running: four
     * check-ins, at least 20 s (a long GC pause or a slow database is not a dead controller).
     */
    Duration ownerExpiry() {
        Duration four = settings.checkinInterval().multipliedBy(4);
        return four.compareTo(Duration.ofSeconds(20)) < 0 ? Duration.ofSeconds(20) : four;
    }

    /** Creates or updates the triggers, queues missed fires of catch-up schedules, then starts firing. */
    public void start() {
        runs.heartbeat(instanceId);
        lastBeat = Instant.now();
        heartbeats.scheduleWithFixedDelay(this::beat, settings.checkinInterval().toMillis(), settings.checkinInterval().toMillis(), TimeUnit.MILLISECONDS);
        scheduler = QuartzSetup.create(settings, instanceId, settings.threads(), true);
        try {
            scheduler.getContext().put(CONTEXT_KEY, this);
            syncTriggers();
            for (ScheduleSpec s : schedules.values()) if (s.enabled() && s.misfire() == ScheduleSpec.Misfire.CATCH_UP) catchUp(s);
            scheduler.start();
            dispatcher.scheduleWithFixedDelay(this::dispatch, 0, DISPATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (SchedulerException e) {
            throw new TreelineException(ExitCode.SERVICE, "cannot start the scheduler on " + settings.displayUrl() + ": " + Redaction.text(e.getMessage()), e);
        }
        metrics.start(settings.metricsHost(), settings.metricsPort(), this::healthProblem);
        progress.info("controller " + instanceId + " started on " + settings.displayUrl() + (settings.clustered() ? " (clustered)" : "")
                + (settings.metricsPort() > 0 ? "; metrics on http://" + settings.metricsHost() + ":" + metrics.port() + "/metrics" : ""));
    }

    /**
     * One cron trigger per enabled schedule. A trigger whose schedule did not change is left alone
     * (its next fire and misfire state survive a restart); a changed one is replaced; schedules removed
     * from the file or disabled lose their trigger.
     */
    private void syncTriggers() throws SchedulerException {
        for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(SCHEDULES))) {
            ScheduleSpec s = schedules.get(key.getName());
            if (s == null || !s.enabled()) {
                try {
                    scheduler.deleteJob(key);
                } catch (SchedulerException e) {
                    // Controllers starting together on one database each remove the stale job: the one that lost the race
                    // finds it gone, which is the state it wanted.
                    if (scheduler.checkExists(key)) throw e;
                }
                progress.info("schedule " + key.getName() + ": " + (s == null ? "no longer in the file" : "disabled") + ", trigger removed");
            }
        }
        for (ScheduleSpec s : schedules.values()) {
            if (!s.enabled()) continue;
            String hash = s.cron() + "|" + s.timeZone() + "|" + s.misfire();
            TriggerKey tk = TriggerKey.triggerKey(s.name(), SCHEDULES);
            Trigger existing = scheduler.getTrigger(tk);
            if (existing != null && hash.equals(existing.getJobDataMap().getString(SPEC_HASH))) {
                progress.info("schedule " + s.name() + ": '" + s.cron() + "' " + s.timeZone() + ", next fire " + existing.getNextFireTime().toInstant());
                continue;
            }
            JobDetail job = JobBuilder.newJob(FireJob.class).withIdentity(s.name(), SCHEDULES).storeDurably().build();
            CronScheduleBuilder cron = CronScheduleBuilder.cronSchedule(s.cron()).inTimeZone(TimeZone.getTimeZone(s.timeZone()));
            cron = switch (s.misfire()) {
                case RUN_ONCE -> cron.withMisfireHandlingInstructionFireAndProceed();
                case SKIP, CATCH_UP -> cron.withMisfireHandlingInstructionDoNothing();
            };
            Trigger t = TriggerBuilder.newTrigger().withIdentity(tk).forJob(job).usingJobData(SPEC_HASH, hash).withSchedule(cron).build();
            scheduler.scheduleJob(job, Set.of(t), true);
            progress.info("schedule " + s.name() + ": '" + s.cron() + "' " + s.timeZone() + (existing == null ? " created" : " updated")
                    + ", next fire " + t.getNextFireTime().toInstant());
        }
    }

    /** Queues one run per fire time missed since the last recorded fire (one controller wins the race to do it). */
    private void catchUp(ScheduleSpec s) throws SchedulerException {
        Optional<Instant> last = runs.lastFire(s.name());
        if (last.isEmpty()) return;
        CronExpression cron;
        try {
            cron = new CronExpression(s.cron());
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
        cron.setTimeZone(TimeZone.getTimeZone(s.timeZone()));
        Instant now = Instant.now();
        Date next = cron.getNextValidTimeAfter(Date.from(last.get()));
        // Counted without keeping them: a schedule down for years must not queue (or hold) thousands of runs.
        long total = 0;
        ArrayDeque<Instant> latest = new ArrayDeque<>();
        while (next != null && !next.toInstant().isAfter(now) && total < 1_000_000) {
            total++;
            latest.addLast(next.toInstant());
            if (latest.size() > s.maxCatchUp()) latest.removeFirst();
            next = cron.getNextValidTimeAfter(next);
        }
        List<Instant> missed = new ArrayList<>(latest);
        if (missed.isEmpty() || !runs.advanceFire(s.name(), last, missed.get(missed.size() - 1))) return;
        progress.info("schedule " + s.name() + ": catching up " + missed.size() + " missed fire(s) since " + last.get()
                + (total > missed.size() ? "; " + (total - missed.size()) + " older missed fire(s) skipped (max_catch_up " + s.maxCatchUp()
                + "), run them with treeline backfill" : ""));
        for (Instant fire : missed) queue(s, s.logicalDate().at(fire, s.timeZone()), "catch_up", false, null, null);
    }

    /** The kind of a run queued because the monitor step found the served model decayed. */
    public static final String RETRAIN_KIND = "decay_retrain";

    /** Queues a run unless the date has one queued or running, and starts it; the new run or empty. */
    public Optional<RunRecord> queue(ScheduleSpec s, LocalDate date, String kind, boolean force, String batchId, Integer maxActive) {
        Optional<RunRecord> r = runs.enqueue(s.name(), date, kind, force, batchId, maxActive);
        if (r.isEmpty()) {
            progress.info("schedule " + s.name() + " " + date + ": a run is already queued or running (" + runs.active(s.name(), date).orElse("?") + ")");
            return r;
        }
        progress.info("schedule " + s.name() + " " + date + ": queued run " + r.get().runId() + " (" + kind + ")");
        dispatchAttempt(scheduler, r.get());
        return r;
    }

    /** How often each controller looks for waiting runs it can start (also right after each of its attempts ends). */
    static final Duration DISPATCH_INTERVAL = Duration.ofSeconds(2);

    /**
     * Starts waiting runs: for each schedule (or backfill batch) with queued runs, as many of its oldest
     * queued runs as it has free slots get an attempt. The same code starts a run whose controller died
     * between queueing it and storing its attempt. The count here only saves needless attempts: the claim
     * in the attempt stays the one that keeps the limit, so two dispatchers at once are harmless.
     */
    void dispatch() {
        dispatchPending.set(false);
        if (stopping || scheduler == null) return;
        try {
            Set<String> stored = storedAttempts();
            Instant now = Instant.now();
            for (RunsTable.QueueGroup g : runs.queueGroups()) {
                ScheduleSpec s = schedules.get(g.schedule());
                if (s == null) continue; // another controller's schedule file names it; that controller starts it
                int limit = g.maxActive() != null ? g.maxActive() : s.maxConcurrentRuns();
                int free = limit - runs.runningIn(g.schedule(), g.batchId());
                if (free <= 0) continue;
                for (RunRecord r : runs.queuedIn(g.schedule(), g.batchId(), free + stored.size())) {
                    if (free <= 0) break;
                    if (stored.contains(r.runId())) continue; // its attempt is stored already (a retry's backoff, or about to claim)
                    if (dispatchAttempt(scheduler, r)) {
                        free--;
                        long waited = Duration.between(r.queuedAt(), now).toSeconds();
                        if (waited >= LOGGED_WAIT.toSeconds()) {
                            progress.info("run " + r.runId() + " (" + r.schedule() + " " + r.logicalDate() + "): starting after " + waited + " s in the queue");
                        }
                    }
                }
            }
        } catch (SchedulerException | RuntimeException e) {
            progress.info("controller " + instanceId + ": starting waiting runs failed (trying again in " + DISPATCH_INTERVAL.toSeconds() + " s): "
                    + e.getMessage());
        }
        Instant now = Instant.now();
        if (Duration.between(lastChecks, now).compareTo(CHECK_INTERVAL) >= 0) {
            lastChecks = now;
            alert(() -> alerts.checkLate(schedules.values(), runs, now));
            alert(() -> alerts.checkControllers(runs, instanceId, ownerExpiry()));
        }
    }

    /** How often each controller looks for schedules past their success deadline and controllers without a heartbeat. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);

    /** Alerting never stops the controller: a database or channel failure is logged and the next event tries again. */
    private void alert(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            progress.info("controller " + instanceId + ": alerting failed: " + Redaction.text(String.valueOf(e.getMessage())));
        }
    }

    /** Waits shorter than this are routine (a slot freed within the dispatch interval) and not logged. */
    private static final Duration LOGGED_WAIT = Duration.ofSeconds(30);

    /** Runs dispatch soon on the dispatcher's thread, once however often it is asked before it runs. */
    private void dispatchSoon() {
        if (stopping || !dispatchPending.compareAndSet(false, true)) return;
        try {
            dispatcher.execute(this::dispatch);
        } catch (RejectedExecutionException closing) {
            dispatchPending.set(false);
        }
    }

    /** Run ids with an attempt stored in the job store (waiting to fire or firing). */
    private Set<String> storedAttempts() throws SchedulerException {
        Set<String> stored = new HashSet<>();
        for (JobKey k : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(RUNS))) {
            int dash = k.getName().lastIndexOf('-');
            if (dash > 0) stored.add(k.getName().substring(0, dash));
        }
        return stored;
    }

    /** Null while this controller is healthy; else what is wrong, for {@code /healthz}. */
    String healthProblem() {
        try {
            if (scheduler == null || !scheduler.isStarted() || scheduler.isShutdown() || scheduler.isInStandbyMode()) {
                return "the scheduler is not running";
            }
        } catch (SchedulerException e) {
            return "the scheduler does not answer: " + e.getMessage();
        }
        Duration silent = Duration.between(lastBeat, Instant.now());
        if (silent.compareTo(ownerExpiry().dividedBy(2)) > 0) {
            return "no heartbeat reached the runs database for " + silent.toSeconds() + " s" + (beatError == null ? "" : ": " + beatError);
        }
        return null;
    }

    private void beat() {
        try {
            runs.heartbeat(instanceId);
            lastBeat = Instant.now();
            beatError = null;
        } catch (RuntimeException e) {
            beatError = e.getMessage();
            // The database is away: the next beat tries again; others take over only after ownerExpiry() of silence.
            progress.info("controller " + instanceId + ": heartbeat failed: " + e.getMessage());
        }
    }

    /** Stores a one-shot, recoverable job for the run's next attempt, starting at {@code at}. */
    static void startAttempt(Scheduler scheduler, String runId, Instant at) {
        store(scheduler, runId, runId + "-" + Long.toString(System.nanoTime(), 36), at);
    }

    /**
     * Stores an attempt to start a queued run now, unless one is stored already: the job's name is fixed by
     * the run and its attempt count, so two controllers dispatching the same run store one job. False when
     * it was there.
     */
    static boolean dispatchAttempt(Scheduler scheduler, RunRecord run) {
        return store(scheduler, run.runId(), run.runId() + "-q" + run.attempts(), Instant.now());
    }

    private static boolean store(Scheduler scheduler, String runId, String id, Instant at) {
        JobDetail job = JobBuilder.newJob(RunJob.class).withIdentity(id, RUNS).usingJobData(RunJob.RUN_ID, runId).requestRecovery().build();
        Trigger t = TriggerBuilder.newTrigger().withIdentity(id, RUNS).startAt(Date.from(at))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow()).build();
        try {
            scheduler.scheduleJob(job, t);
            return true;
        } catch (ObjectAlreadyExistsException already) {
            return false;
        } catch (SchedulerException e) {
            throw new TreelineException(ExitCode.SERVICE, "cannot store the run " + runId + " in the job store: " + e.getMessage(), e);
        }
    }

    /** One attempt of a run (the body of {@link RunJob}). */
    void attempt(String runId, boolean recovering) {
        inFlight.incrementAndGet();
        try {
            attemptInner(runId, recovering);
        } finally {
            synchronized (inFlight) {
                inFlight.decrementAndGet();
                inFlight.notifyAll();
            }
            dispatchSoon(); // a slot may have freed up
        }
    }

    private void attemptInner(String runId, boolean recovering) {
        RunRecord queued = runs.get(runId).orElse(null);
        if (queued == null || queued.finished()) return;
        ScheduleSpec s = schedules.get(queued.schedule());
        if (s == null) {
            runs.finish(runId, RunRecord.FAILED, "schedule " + queued.schedule() + " is no longer in the schedule file", null);
            return;
        }
        int limit = queued.maxActive() != null ? queued.maxActive() : s.maxConcurrentRuns();
        boolean older = queued.batchId() != null && queued.attempts() == 0 && runs.queuedBefore(queued.batchId(), runId) > 0;
        if (older) return; // a backfill's older dates start first; this one waits in the queue for the dispatcher
        RunsTable.Claim claim;
        try {
            claim = runs.claim(runId, instanceId, s.name(), limit, queued.batchId(), ownerExpiry());
        } catch (TreelineException e) {
            // The database did not answer in time: the run stays queued; look again shortly.
            progress.info("run " + runId + ": could not claim it (" + e.getMessage() + "); trying again in 5 s");
            startAttempt(scheduler, runId, Instant.now().plusSeconds(5));
            return;
        }
        if (!claim.taken()) {
            switch (claim.refused()) {
                case NO_SLOT, FINISHED -> { } // a waiting run stays queued; the dispatcher starts it when a slot frees up
                // Quartz thought the owner dead (its check-in uses host clocks), the database's heartbeat says it lives:
                // look again once the heartbeat could have expired, in case it really stopped.
                case OWNER_ALIVE -> startAttempt(scheduler, runId, Instant.now().plus(ownerExpiry()));
            }
            return;
        }
        RunRecord run = claim.run();
        runs.countAttempt(runId);
        int attempt = run.attempts() + 1;
        if (recovering || claim.tookOverFrom() != null) {
            progress.info("run " + runId + ": recovered from a controller that stopped" + (claim.tookOverFrom() == null ? "" : " (" + claim.tookOverFrom() + ")")
                    + ", resuming (attempt " + attempt + ")");
        }
        Instant runStart = run.startedAt() == null ? Instant.now() : run.startedAt();
        RunExecutor.Outcome o;
        try {
            o = executor.execute(s, withAttempts(run, attempt), new RunExecutor.StopCheck() {
                @Override
                public String reasonToStop(String step, Instant stepStart) {
                    return stopReason(s, runId, runStart, step, stepStart);
                }

                @Override
                public boolean shuttingDown() {
                    return stopping;
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runs.requeue(runId, "controller stopped during the attempt");
            return;
        } catch (RuntimeException | Error e) {
            // An Error escaping the executor still ends the attempt in the runs table, never a RUNNING row for good.
            o = RunExecutor.Outcome.failed(RunFailures.describe(e), false);
        }
        runs.progress(runId, attempt, o.pipelineRunId(), o.mlflowRunId(), o.steps());
        metrics.recordAttempt(s.name(), o, attempt > 1);
        if (!o.succeeded() && stopping) {
            // Stopped at a step boundary by the shutdown: queued again, stored in the job store for the next controller.
            runs.requeue(runId, o.error());
            startAttempt(scheduler, runId, Instant.now());
            progress.info("run " + runId + " (" + s.name() + " " + run.logicalDate() + "): " + o.error());
        } else if (o.succeeded()) {
            runs.finish(runId, RunRecord.SUCCEEDED, null, o.modelVersion());
            metrics.recordSuccess(s.name(), o);
            progress.info("run " + runId + " (" + s.name() + " " + run.logicalDate() + "): succeeded on attempt " + attempt);
            if (o.numbers().getOrDefault(StepTypeNames.MONITOR + ".retrain", 0.0) > 0) {
                // The monitor step found the served version decayed and its policy is on_decay: retrain. The step reports a
                // version only the first time it breaches, so a rerun of this date does not queue again.
                ScheduleSpec target = schedules.getOrDefault(s.retrainTarget(), s);
                progress.info("run " + runId + ": the served model decayed; queueing a retraining run of " + target.name() + " for "
                        + run.logicalDate().plusDays(1));
                queue(target, run.logicalDate().plusDays(1), RETRAIN_KIND, false, null, null);
            }
            Map<String, Double> numbers = o.numbers();
            alert(() -> alerts.runSucceeded(s, run, numbers));
        } else if (o.cancelled()) {
            boolean cancelled = runs.get(runId).map(RunRecord::cancelRequested).orElse(false);
            runs.finish(runId, cancelled ? RunRecord.CANCELLED : RunRecord.FAILED, o.error(), o.modelVersion());
            progress.info("run " + runId + " (" + s.name() + " " + run.logicalDate() + "): " + o.error());
        } else if (attempt < s.retries().attempts()) {
            Duration wait = s.retries().delayBefore(attempt + 1);
            runs.requeue(runId, o.error());
            startAttempt(scheduler, runId, Instant.now().plus(wait));
            progress.info("run " + runId + " (" + s.name() + " " + run.logicalDate() + "): attempt " + attempt + " failed (" + o.error()
                    + "); retrying in " + wait.toSeconds() + " s");
        } else {
            runs.finish(runId, RunRecord.FAILED, o.error(), o.modelVersion());
            progress.info("run " + runId + " (" + s.name() + " " + run.logicalDate() + "): failed after " + attempt + " attempt(s): " + o.error());
            int attempts = attempt;
            String error = o.error();
            alert(() -> alerts.runFailed(s, run, attempts, error));
        }
    }

    private static RunRecord withAttempts(RunRecord r, int attempts) {
        return new RunRecord(r.runId(), r.schedule(), r.logicalDate(), r.state(), r.kind(), r.force(), attempts, r.batchId(), r.maxActive(),
                r.queuedAt(), r.startedAt(), r.endedAt(), r.instance(), r.error(), r.pipelineRunId(), r.mlflowRunId(), r.modelVersion(), r.steps(),
                r.cancelRequested());
    }

    private String stopReason(ScheduleSpec s, String runId, Instant runStart, String step, Instant stepStart) {
        Instant now = Instant.now();
        if (s.deadlines().run() != null && now.isAfter(runStart.plus(s.deadlines().run()))) {
            return "run deadline of " + s.deadlines().run().toSeconds() + " s exceeded" + (step == null ? "" : " in step " + step);
        }
        if (step != null && stepStart != null && s.deadlines().step() != null && now.isAfter(stepStart.plus(s.deadlines().step()))) {
            return "step " + step + " exceeded its deadline of " + s.deadlines().step().toSeconds() + " s";
        }
        if (runs.get(runId).map(RunRecord::cancelRequested).orElse(false)) return "cancelled on request";
        return null;
    }

    /** Blocks until {@link #close()} (the CLI calls it from a shutdown hook on SIGTERM or Ctrl-C). */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops taking new fires; running attempts finish their current step and stop there (queued again,
     * so the next controller resumes them at the following step).
     */
    @Override
    public void close() {
        stopping = true;
        try {
            if (scheduler != null && !scheduler.isShutdown()) {
                scheduler.standby();
                synchronized (inFlight) {
                    while (inFlight.get() > 0) inFlight.wait(1000);
                }
                scheduler.shutdown(true);
            }
        } catch (SchedulerException e) {
            throw new TreelineException(ExitCode.FAILURE, "scheduler did not shut down cleanly: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            heartbeats.shutdownNow();
            dispatcher.shutdownNow();
            try {
                runs.forget(instanceId);
            } catch (RuntimeException e) {
                // The database is away: others take over after the heartbeat expires.
            }
            metrics.close();
            db.close();
            stopped.countDown();
        }
    }
}
