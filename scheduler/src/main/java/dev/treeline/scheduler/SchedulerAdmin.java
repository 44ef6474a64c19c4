package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Redaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;

/**
 * What the CLI does to the controllers' shared state without running anything itself: status, pause,
 * resume, manual triggers, backfills, run retries and cancels, and repairing triggers left stuck by a
 * dead controller. Queued work is picked up by whichever controller is running (or starts next).
 */
public final class SchedulerAdmin implements AutoCloseable {
    private final ScheduleFile.Loaded config;
    private final SchedulerDatabase db;
    private final RunsTable runs;
    private final Scheduler quartz;
    private final boolean ownsQuartz;

    public SchedulerAdmin(ScheduleFile.Loaded config) {
        this.config = config;
        this.db = new SchedulerDatabase(config.settings());
        this.runs = new RunsTable(db);
        // In a JVM that runs a controller (tests, the CLI inside it) Quartz hands out that instance: never shut it down.
        String id = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        this.quartz = QuartzSetup.create(config.settings(), id, 1);
        boolean mine;
        try {
            mine = id.equals(quartz.getSchedulerInstanceId());
        } catch (SchedulerException e) {
            mine = false;
        }
        this.ownsQuartz = mine;
    }

    public RunsTable runs() {
        return runs;
    }

    /** One line per schedule: trigger state and next fire, last run, counts by state. */
    public List<Map<String, Object>> status() {
        List<Map<String, Object>> out = new ArrayList<>();
        try {
            for (ScheduleSpec s : config.schedules()) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("schedule", s.name());
                r.put("pipeline", s.pipeline().toString());
                r.put("cron", s.cron() + " " + s.timeZone());
                Trigger t = quartz.getTrigger(TriggerKey.triggerKey(s.name(), Controller.SCHEDULES));
                r.put("trigger", t == null ? (s.enabled() ? "not created (no controller started yet)" : "disabled")
                        : quartz.getTriggerState(t.getKey()).name().toLowerCase());
                r.put("next_fire", t == null || t.getNextFireTime() == null ? null : t.getNextFireTime().toInstant().toString());
                List<RunRecord> last = runs.list(s.name(), null, 1);
                r.put("last_run", last.isEmpty() ? null : last.get(0).runId() + " " + last.get(0).logicalDate() + " " + last.get(0).state());
                r.put("runs", runs.countByState(s.name()));
                out.add(r);
            }
        } catch (SchedulerException e) {
            throw service(e);
        }
        return out;
    }

    /** Controllers that checked in to the cluster, with their last check-in. */
    public List<Map<String, Object>> instances() {
        return query("SELECT INSTANCE_NAME, LAST_CHECKIN_TIME, CHECKIN_INTERVAL FROM QRTZ_SCHEDULER_STATE WHERE SCHED_NAME = ?", rs -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("instance", rs.getString(1));
            r.put("last_checkin", Instant.ofEpochMilli(rs.getLong(2)).toString());
            r.put("alive", QuartzSetup.alive(rs.getLong(2), rs.getLong(3), System.currentTimeMillis()));
            return r;
        }, QuartzSetup.NAME);
    }

    public void pause(String schedule) {
        config.schedule(schedule);
        try {
            quartz.pauseJob(JobKey.jobKey(schedule, Controller.SCHEDULES));
        } catch (SchedulerException e) {
            throw service(e);
        }
    }

    public void resume(String schedule) {
        config.schedule(schedule);
        try {
            quartz.resumeJob(JobKey.jobKey(schedule, Controller.SCHEDULES));
        } catch (SchedulerException e) {
            throw service(e);
        }
    }

    /** Queues a run now for {@code date} (default: the logical date of a fire now). */
    public RunRecord trigger(String schedule, LocalDate date) {
        ScheduleSpec s = config.schedule(schedule);
        LocalDate d = date != null ? date : s.logicalDate().at(Instant.now(), s.timeZone());
        RunRecord r = runs.enqueue(s.name(), d, "manual", false, null, null).orElseThrow(() -> new TreelineException(ExitCode.BUSY,
                s.name() + " " + d + " already has a run queued or running (" + runs.active(s.name(), d).orElse("?") + ")"));
        Controller.dispatchAttempt(quartz, r);
        return r;
    }

    public enum Reprocess { NONE, FAILED, ALL }

    /** What a backfill did for each date: queued (with the run id) or why not. */
    public record BackfillLine(LocalDate date, String action, String runId) {}

    /**
     * One run per logical date from {@code from} to {@code to}, oldest first (newest first with
     * {@code backwards}), at most {@code maxActive} running at once; never a second run for a date
     * that has one queued or running. {@code none} leaves dates that already ran alone; {@code failed}
     * reruns the failed ones (resuming); {@code all} reruns every date from scratch.
     */
    public List<BackfillLine> backfill(String schedule, LocalDate from, LocalDate to, Reprocess reprocess, int maxActive, boolean backwards) {
        ScheduleSpec s = config.schedule(schedule);
        if (to.isBefore(from)) throw new TreelineException(ExitCode.USAGE, "--to " + to + " is before --from " + from);
        List<LocalDate> dates = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) dates.add(d);
        if (backwards) Collections.reverse(dates);
        String batch = "b-" + UUID.randomUUID().toString().substring(0, 8);
        List<BackfillLine> out = new ArrayList<>();
        int started = 0;
        for (LocalDate d : dates) {
            List<RunRecord> earlier = runs.forDate(s.name(), d);
            RunRecord latest = earlier.isEmpty() ? null : earlier.get(earlier.size() - 1);
            Optional<String> active = runs.active(s.name(), d);
            if (active.isPresent()) {
                out.add(new BackfillLine(d, "skipped: a run is queued or running", active.get()));
                continue;
            }
            boolean go = latest == null || reprocess == Reprocess.ALL || (reprocess == Reprocess.FAILED && !latest.state().equals(RunRecord.SUCCEEDED));
            if (!go) {
                out.add(new BackfillLine(d, "skipped: already " + latest.state(), latest.runId()));
                continue;
            }
            var r = runs.enqueue(s.name(), d, "backfill", reprocess == Reprocess.ALL && latest != null, batch, maxActive);
            if (r.isEmpty()) {
                out.add(new BackfillLine(d, "skipped: a run is queued or running", runs.active(s.name(), d).orElse(null)));
                continue;
            }
            // The first maxActive dates start now; the rest wait as queued rows, started oldest first by the controllers' dispatchers.
            if (started++ < maxActive) Controller.dispatchAttempt(quartz, r.get());
            out.add(new BackfillLine(d, "queued", r.get().runId()));
        }
        return out;
    }

    /** Queues a finished run's date again (a new run that resumes where the failed one stopped). */
    public RunRecord retry(String runId) {
        RunRecord r = runs.get(runId).orElseThrow(() -> RunsTable.unknown(runId));
        if (!r.finished()) throw new TreelineException(ExitCode.FAILURE, "run " + runId + " is " + r.state() + "; only a finished run can be retried");
        RunRecord again = runs.enqueue(r.schedule(), r.logicalDate(), "retry", false, null, null).orElseThrow(() -> new TreelineException(ExitCode.BUSY,
                r.schedule() + " " + r.logicalDate() + " already has a run queued or running"));
        Controller.dispatchAttempt(quartz, again);
        return again;
    }

    public RunRecord cancel(String runId) {
        return runs.cancel(runId);
    }

    /** A trigger left ACQUIRED or BLOCKED by a controller that is gone. */
    public record StuckTrigger(String trigger, String group, String state, String instance) {}

    /** Finds stuck triggers and, unless {@code dryRun}, puts them back to WAITING and drops the dead instances' fired-trigger rows. */
    public List<StuckTrigger> doctor(boolean dryRun) {
        List<String> alive = instances().stream().filter(i -> (Boolean) i.get("alive")).map(i -> (String) i.get("instance")).toList();
        List<StuckTrigger> stuck = query("SELECT t.TRIGGER_NAME, t.TRIGGER_GROUP, t.TRIGGER_STATE, f.INSTANCE_NAME FROM QRTZ_TRIGGERS t "
                + "LEFT JOIN QRTZ_FIRED_TRIGGERS f ON f.SCHED_NAME = t.SCHED_NAME AND f.TRIGGER_NAME = t.TRIGGER_NAME AND f.TRIGGER_GROUP = t.TRIGGER_GROUP "
                + "WHERE t.SCHED_NAME = ? AND t.TRIGGER_STATE IN ('ACQUIRED', 'BLOCKED')",
                rs -> new StuckTrigger(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)), QuartzSetup.NAME)
                .stream().filter(t -> t.instance() == null || !alive.contains(t.instance())).toList();
        if (dryRun || stuck.isEmpty()) return stuck;
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            for (StuckTrigger t : stuck) {
                try (PreparedStatement p = c.prepareStatement("UPDATE QRTZ_TRIGGERS SET TRIGGER_STATE = 'WAITING' WHERE SCHED_NAME = ? AND TRIGGER_NAME = ? "
                        + "AND TRIGGER_GROUP = ? AND TRIGGER_STATE IN ('ACQUIRED', 'BLOCKED')")) {
                    p.setString(1, QuartzSetup.NAME);
                    p.setString(2, t.trigger());
                    p.setString(3, t.group());
                    p.executeUpdate();
                }
                if (t.instance() != null) {
                    try (PreparedStatement p = c.prepareStatement("DELETE FROM QRTZ_FIRED_TRIGGERS WHERE SCHED_NAME = ? AND INSTANCE_NAME = ? "
                            + "AND TRIGGER_NAME = ? AND TRIGGER_GROUP = ?")) {
                        p.setString(1, QuartzSetup.NAME);
                        p.setString(2, t.instance());
                        p.setString(3, t.trigger());
                        p.setString(4, t.group());
                        p.executeUpdate();
                    }
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new TreelineException(ExitCode.SERVICE, "cannot repair triggers in " + db.settings().displayUrl() + ": " + Redaction.text(e.getMessage()), e);
        }
        return stuck;
    }

    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, String... args) {
        try (Connection c = db.connection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) p.setString(i + 1, args[i]);
            try (ResultSet rs = p.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) out.add(mapper.map(rs));
                return out;
            }
        } catch (SQLException e) {
            throw new TreelineException(ExitCode.SERVICE, "scheduler database " + db.settings().displayUrl() + ": " + Redaction.text(e.getMessage()), e);
        }
    }

    private TreelineException service(SchedulerException e) {
        return new TreelineException(ExitCode.SERVICE, "Quartz job store " + db.settings().displayUrl() + ": " + Redaction.text(e.getMessage()), e);
    }

    @Override
    public void close() {
        try {
            if (ownsQuartz) quartz.shutdown(false);
        } catch (SchedulerException ignored) {
            // closing a client
        }
        db.close();
    }
}
