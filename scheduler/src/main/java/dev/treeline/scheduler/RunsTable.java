package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Redaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runs table in the controller's database. {@code treeline_active_runs} holds one row per schedule
 * and logical date while a run is queued or running: its primary key is what guarantees that no second
 * run is created for such a date, across controllers.
 */
public final class RunsTable {
    static final List<String> DDL = List.of(
            "CREATE TABLE treeline_runs (run_id VARCHAR(64) PRIMARY KEY, schedule_name VARCHAR(100) NOT NULL, logical_date DATE NOT NULL, "
                    + "state VARCHAR(16) NOT NULL, kind VARCHAR(16) NOT NULL, force_rerun BOOLEAN NOT NULL, attempts INT NOT NULL, "
                    + "batch_id VARCHAR(64), max_active INT, queued_at TIMESTAMP NOT NULL, started_at TIMESTAMP, ended_at TIMESTAMP, "
                    + "instance_id VARCHAR(200), error VARCHAR(4000), pipeline_run_id VARCHAR(64), mlflow_run_id VARCHAR(64), "
                    + "model_version VARCHAR(32), steps VARCHAR(20000), cancel_requested BOOLEAN NOT NULL)",
            "CREATE INDEX treeline_runs_by_date ON treeline_runs (schedule_name, logical_date)",
            "CREATE TABLE treeline_active_runs (schedule_name VARCHAR(100) NOT NULL, logical_date DATE NOT NULL, run_id VARCHAR(64) NOT NULL, "
                    + "PRIMARY KEY (schedule_name, logical_date))",
            "CREATE TABLE treeline_schedule_fires (schedule_name VARCHAR(100) PRIMARY KEY, last_fire TIMESTAMP NOT NULL)");

    /** Controllers' heartbeats, in the database's own clock (so a skewed host clock cannot make a live controller look dead). */
    static final List<String> CONTROLLERS_DDL = List.of(
            "CREATE TABLE treeline_controllers (instance_id VARCHAR(200) PRIMARY KEY, heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL)");

    private static final String COLUMNS = "run_id, schedule_name, logical_date, state, kind, force_rerun, attempts, batch_id, max_active, queued_at, "
            + "started_at, ended_at, instance_id, error, pipeline_run_id, mlflow_run_id, model_version, steps, cancel_requested";

    private final SchedulerDatabase db;

    public RunsTable(SchedulerDatabase db) {
        this.db = db;
    }

    /**
     * Queues a run unless one is queued or running for the date; returns the new run, or empty when
     * one exists (which {@link #active} names).
     */
    public Optional<RunRecord> enqueue(String schedule, LocalDate date, String kind, boolean force, String batchId, Integer maxActive) {
        String id = "r-" + date + "-" + UUID.randomUUID().toString().substring(0, 8);
        return tx(c -> {
            try (PreparedStatement a = c.prepareStatement("INSERT INTO treeline_active_runs (schedule_name, logical_date, run_id) VALUES (?, ?, ?)")) {
                a.setString(1, schedule);
                a.setObject(2, date);
                a.setString(3, id);
                a.executeUpdate();
            } catch (SQLException duplicate) {
                if (!isDuplicate(duplicate)) throw duplicate;
                c.rollback();
                return Optional.<RunRecord>empty();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO treeline_runs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, "
                    + "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, FALSE)")) {
                p.setString(1, id);
                p.setString(2, schedule);
                p.setObject(3, date);
                p.setString(4, RunRecord.QUEUED);
                p.setString(5, kind);
                p.setBoolean(6, force);
                p.setString(7, batchId);
                if (maxActive == null) p.setNull(8, Types.INTEGER);
                else p.setInt(8, maxActive);
                p.setTimestamp(9, Timestamp.from(queuedAt()));
                p.executeUpdate();
            }
            return get(c, id);
        });
    }

    private static final AtomicLong LAST_QUEUED_MICROS = new AtomicLong();

    /**
     * Now, but strictly after the previous run queued by this process: runs wait in queue order
     * ({@code queued_at}), so a backfill's dates must not tie within the clock's resolution.
     */
    private static Instant queuedAt() {
        Instant now = Instant.now();
        long micros = LAST_QUEUED_MICROS.updateAndGet(last -> Math.max(last + 1, now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000));
        return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
    }

    /** Queued runs of one schedule (and backfill batch, or none): what waits for that group's slots. */
    public record QueueGroup(String schedule, String batchId, Integer maxActive) {}

    /** Every group that has runs waiting. */
    public List<QueueGroup> queueGroups() {
        return tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT schedule_name, batch_id, MAX(max_active) FROM treeline_runs WHERE state = ? "
                    + "GROUP BY schedule_name, batch_id")) {
                p.setString(1, RunRecord.QUEUED);
                try (ResultSet rs = p.executeQuery()) {
                    List<QueueGroup> out = new ArrayList<>();
                    while (rs.next()) {
                        int max = rs.getInt(3);
                        out.add(new QueueGroup(rs.getString(1), rs.getString(2), rs.wasNull() ? null : max));
                    }
                    return out;
                }
            }
        });
    }

    /** Runs running now that count against a group's limit (the same count {@link #claim} makes). */
    public int runningIn(String schedule, String batchId) {
        return tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM treeline_runs WHERE schedule_name = ? AND state = ?"
                    + (batchId == null ? "" : " AND batch_id = ?"))) {
                p.setString(1, schedule);
                p.setString(2, RunRecord.RUNNING);
                if (batchId != null) p.setString(3, batchId);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    /** The group's queued runs in queue order, at most {@code limit}. */
    public List<RunRecord> queuedIn(String schedule, String batchId, int limit) {
        return tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM treeline_runs WHERE schedule_name = ? AND state = ? AND "
                    + (batchId == null ? "batch_id IS NULL" : "batch_id = ?") + " ORDER BY queued_at, run_id")) {
                p.setString(1, schedule);
                p.setString(2, RunRecord.QUEUED);
                if (batchId != null) p.setString(3, batchId);
                p.setMaxRows(Math.max(1, limit));
                try (ResultSet rs = p.executeQuery()) {
                    List<RunRecord> out = new ArrayList<>();
                    while (rs.next()) out.add(row(rs));
                    return out;
                }
            }
        });
    }

    /** The run id queued or running for the date, if any. */
    public Optional<String> active(String schedule, LocalDate date) {
        return tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT run_id FROM treeline_active_runs WHERE schedule_name = ? AND logical_date = ?")) {
                p.setString(1, schedule);
                p.setObject(2, date);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** Why a claim did not take the run. */
    public enum Refusal {
        /** It finished (or was cancelled) meanwhile. */
        FINISHED,
        /** The schedule (or the backfill batch) already runs its limit. */
        NO_SLOT,
        /** Another controller runs it and its heartbeat is fresh. */
        OWNER_ALIVE
    }

    /** A claim's result: the run, now running on the claimer, or why not; {@code tookOverFrom} names a silent owner it was taken from. */
    public record Claim(RunRecord run, Refusal refused, String tookOverFrom) {
        public boolean taken() {
            return run != null;
        }
    }

    /**
     * Marks the run as running on {@code instance}, in one transaction that holds the locks of the schedule's
     * active rows: so among any number of controllers and threads at most {@code limit} runs of the schedule
     * (of the batch, with {@code batchId}) run at once. A queued run is taken when there is a slot; a running
     * one (an attempt recovered after a crash) only when its owner's heartbeat is older than {@code ownerExpiry}
     * in the database's clock — never from a live owner, itself included, so a second job for one run cannot
     * run it twice.
     */
    public Claim claim(String runId, String instance, String schedule, int limit, String batchId, Duration ownerExpiry) {
        return tx(c -> {
            // Every claimer of this schedule locks the same rows in the same order: claims are serialised, counts exact.
            try (PreparedStatement p = c.prepareStatement("SELECT run_id FROM treeline_runs WHERE schedule_name = ? AND state IN (?, ?) "
                    + "ORDER BY run_id FOR UPDATE")) {
                p.setString(1, schedule);
                p.setString(2, RunRecord.QUEUED);
                p.setString(3, RunRecord.RUNNING);
                p.executeQuery().close();
            }
            String sql = "SELECT COUNT(*) FROM treeline_runs WHERE schedule_name = ? AND state = ? AND run_id <> ?" + (batchId == null ? "" : " AND batch_id = ?");
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setString(1, schedule);
                p.setString(2, RunRecord.RUNNING);
                p.setString(3, runId);
                if (batchId != null) p.setString(4, batchId);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) >= limit) return new Claim(null, Refusal.NO_SLOT, null);
                }
            }
            Optional<RunRecord> before = get(c, runId);
            String owner = before.filter(r -> r.state().equals(RunRecord.RUNNING)).map(RunRecord::instance).orElse(null);
            long expiry = Math.max(1, ownerExpiry.toSeconds());
            try (PreparedStatement p = c.prepareStatement("UPDATE treeline_runs SET state = ?, instance_id = ?, started_at = COALESCE(started_at, ?) "
                    + "WHERE run_id = ? AND (state = ? OR (state = ? AND (instance_id IS NULL OR NOT EXISTS "
                    + "(SELECT 1 FROM treeline_controllers h WHERE h.instance_id = treeline_runs.instance_id "
                    + "AND h.heartbeat_at > CURRENT_TIMESTAMP - INTERVAL '" + expiry + "' SECOND))))")) {
                p.setString(1, RunRecord.RUNNING);
                p.setString(2, instance);
                p.setTimestamp(3, Timestamp.from(Instant.now()));
                p.setString(4, runId);
                p.setString(5, RunRecord.QUEUED);
                p.setString(6, RunRecord.RUNNING);
                if (p.executeUpdate() == 0) {
                    Optional<RunRecord> now = get(c, runId);
                    return new Claim(null, now.isEmpty() || now.get().finished() ? Refusal.FINISHED : Refusal.OWNER_ALIVE, null);
                }
            }
            return new Claim(get(c, runId).orElseThrow(), null, owner);
        });
    }

    /** Records that {@code instance} is alive, in the database's clock. */
    public void heartbeat(String instance) {
        tx(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE treeline_controllers SET heartbeat_at = CURRENT_TIMESTAMP WHERE instance_id = ?")) {
                p.setString(1, instance);
                if (p.executeUpdate() > 0) return null;
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO treeline_controllers (instance_id, heartbeat_at) VALUES (?, CURRENT_TIMESTAMP)")) {
                p.setString(1, instance);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** A controller that stops cleanly says so: whatever it left running may be taken over at once. */
    public void forget(String instance) {
        update("DELETE FROM treeline_controllers WHERE instance_id = ?", instance);
    }

    /** Every controller's time since its last heartbeat, measured in the database's clock. */
    public Map<String, Duration> silences() {
        return tx(c -> {
            Map<String, Duration> out = new java.util.TreeMap<>();
            try (PreparedStatement p = c.prepareStatement("SELECT instance_id, heartbeat_at, CURRENT_TIMESTAMP FROM treeline_controllers");
                 ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    Duration d = Duration.between(rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant());
                    out.put(rs.getString(1), d.isNegative() ? Duration.ZERO : d);
                }
            }
            return out;
        });
    }

    public void progress(String runId, int attempts, String pipelineRunId, String mlflowRunId, String steps) {
        update("UPDATE treeline_runs SET attempts = ?, pipeline_run_id = COALESCE(?, pipeline_run_id), mlflow_run_id = COALESCE(?, mlflow_run_id), "
                + "steps = COALESCE(?, steps) WHERE run_id = ?", attempts, pipelineRunId, mlflowRunId, steps, runId);
    }

    /** Ends a run and frees its date. */
    public void finish(String runId, String state, String error, String modelVersion) {
        tx(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE treeline_runs SET state = ?, error = ?, model_version = COALESCE(?, model_version), "
                    + "ended_at = ? WHERE run_id = ?")) {
                p.setString(1, state);
                p.setString(2, error == null ? null : error.length() > 4000 ? error.substring(0, 3997) + "..." : error);
                p.setString(3, modelVersion);
                p.setTimestamp(4, Timestamp.from(Instant.now()));
                p.setString(5, runId);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM treeline_active_runs WHERE run_id = ?")) {
                p.setString(1, runId);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** Asks a running run to stop (the controller running it checks between steps and at its deadlines); a queued run is cancelled at once. */
    public RunRecord cancel(String runId) {
        RunRecord r = get(runId).orElseThrow(() -> unknown(runId));
        if (r.finished()) throw new TreelineException(ExitCode.FAILURE, "run " + runId + " already " + r.state());
        update("UPDATE treeline_runs SET cancel_requested = TRUE WHERE run_id = ?", runId);
        if (r.state().equals(RunRecord.QUEUED)) finish(runId, RunRecord.CANCELLED, "cancelled before it started", null);
        return get(runId).orElseThrow();
    }

    public Optional<RunRecord> get(String runId) {
        return tx(c -> get(c, runId));
    }

    /** Runs, newest first, filtered by schedule and state when given. */
    public List<RunRecord> list(String schedule, String state, int limit) {
        return tx(c -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM treeline_runs WHERE 1 = 1");
            List<Object> args = new ArrayList<>();
            if (schedule != null) {
                sql.append(" AND schedule_name = ?");
                args.add(schedule);
            }
            if (state != null) {
                sql.append(" AND state = ?");
                args.add(state);
            }
            sql.append(" ORDER BY queued_at DESC, logical_date DESC");
            try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) p.setObject(i + 1, args.get(i));
                p.setMaxRows(limit);
                try (ResultSet rs = p.executeQuery()) {
                    List<RunRecord> out = new ArrayList<>();
                    while (rs.next()) out.add(row(rs));
                    return out;
                }
            }
        });
    }

    /** Every run of a schedule for a date, oldest first. */
    public List<RunRecord> forDate(String schedule, LocalDate date) {
        return tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM treeline_runs WHERE schedule_name = ? AND logical_date = ? "
                    + "ORDER BY queued_at")) {
                p.setString(1, schedule);
                p.setObject(2, date);
                try (ResultSet rs = p.executeQuery()) {
                    List<RunRecord> out = new ArrayList<>();
                    while (rs.next()) out.add(row(rs));
                    return out;
                }
            }
        });
    }

    /** When the schedule last fired, as recorded by the controllers. */
    public Optional<Instant> lastFire(String schedule) {
        return tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT last_fire FROM treeline_schedule_fires WHERE schedule_name = ?")) {
                p.setString(1, schedule);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.<Instant>empty();
                }
            }
        });
    }

    /**
     * Moves the schedule's last fire from {@code expected} (empty: none recorded) to {@code fire};
     * false when another controller moved it first (so exactly one of them handles those fires).
     */
    public boolean advanceFire(String schedule, Optional<Instant> expected, Instant fire) {
        return tx(c -> {
            if (expected.isEmpty()) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO treeline_schedule_fires (schedule_name, last_fire) VALUES (?, ?)")) {
                    p.setString(1, schedule);
                    p.setTimestamp(2, Timestamp.from(fire));
                    p.executeUpdate();
                    return true;
                } catch (SQLException e) {
                    if (isDuplicate(e)) {
                        c.rollback();
                        return false;
                    }
                    throw e;
                }
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE treeline_schedule_fires SET last_fire = ? WHERE schedule_name = ? AND last_fire = ?")) {
                p.setTimestamp(1, Timestamp.from(fire));
                p.setString(2, schedule);
                p.setTimestamp(3, Timestamp.from(expected.get()));
                return p.executeUpdate() == 1;
            }
        });
    }

    /** Runs of a backfill batch still queued and queued before {@code runId} (they go first). */
    public int queuedBefore(String batchId, String runId) {
        return tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM treeline_runs r, treeline_runs me WHERE me.run_id = ? AND r.batch_id = ? "
                    + "AND r.state = ? AND r.run_id <> me.run_id AND r.queued_at < me.queued_at AND r.attempts = 0")) {
                p.setString(1, runId);
                p.setString(2, batchId);
                p.setString(3, RunRecord.QUEUED);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    /** Runs of a schedule by state. */
    public Map<String, Integer> countByState(String schedule) {
        return tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT state, COUNT(*) FROM treeline_runs WHERE schedule_name = ? GROUP BY state")) {
                p.setString(1, schedule);
                try (ResultSet rs = p.executeQuery()) {
                    Map<String, Integer> out = new LinkedHashMap<>();
                    while (rs.next()) out.put(rs.getString(1), rs.getInt(2));
                    return out;
                }
            }
        });
    }

    /** When the schedule's last successful run ended. */
    public Optional<Instant> lastSuccess(String schedule) {
        return tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT MAX(ended_at) FROM treeline_runs WHERE schedule_name = ? AND state = ?")) {
                p.setString(1, schedule);
                p.setString(2, RunRecord.SUCCEEDED);
                try (ResultSet rs = p.executeQuery()) {
                    Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
                    return t == null ? Optional.<Instant>empty() : Optional.of(t.toInstant());
                }
            }
        });
    }

    /** Records a cron fire as the schedule's last (never moving it back). */
    public void recordFire(String schedule, Instant fire) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<Instant> last = lastFire(schedule);
            if (last.isPresent() && !last.get().isBefore(fire)) return;
            if (advanceFire(schedule, last, fire)) return;
        }
    }

    /** Puts a run back in the queue for its next attempt, keeping its date. */
    public void requeue(String runId, String error) {
        update("UPDATE treeline_runs SET state = ?, error = ? WHERE run_id = ? AND state = ?", RunRecord.QUEUED,
                error == null ? null : error.length() > 4000 ? error.substring(0, 3997) + "..." : error, runId, RunRecord.RUNNING);
    }

    /** Counts the attempt a claim starts. */
    public void countAttempt(String runId) {
        update("UPDATE treeline_runs SET attempts = attempts + 1 WHERE run_id = ?", runId);
    }

    // ---- plumbing -----------------------------------------------------------------------------

    interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    <T> T tx(Work<T> work) {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                T out = work.apply(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new TreelineException(ExitCode.SERVICE, "scheduler database " + db.settings().displayUrl() + ": " + Redaction.text(e.getMessage()), e);
        }
    }

    private void update(String sql, Object... args) {
        tx(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    if (args[i] == null) p.setNull(i + 1, Types.VARCHAR);
                    else p.setObject(i + 1, args[i]);
                }
                return p.executeUpdate();
            }
        });
    }

    private static Optional<RunRecord> get(Connection c, String runId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM treeline_runs WHERE run_id = ?")) {
            p.setString(1, runId);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static RunRecord row(ResultSet rs) throws SQLException {
        int maxActive = rs.getInt(9);
        Integer max = rs.wasNull() ? null : maxActive;
        return new RunRecord(rs.getString(1), rs.getString(2), rs.getObject(3, LocalDate.class), rs.getString(4), rs.getString(5), rs.getBoolean(6),
                rs.getInt(7), rs.getString(8), max, instant(rs, 10), instant(rs, 11), instant(rs, 12), rs.getString(13), rs.getString(14),
                rs.getString(15), rs.getString(16), rs.getString(17), rs.getString(18), rs.getBoolean(19));
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }

    /** A unique violation (SQLState 23505 in PostgreSQL and H2) only: other integrity errors (a NOT NULL, a foreign key) are real failures. */
    static boolean isDuplicate(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    static TreelineException unknown(String runId) {
        return new TreelineException(ExitCode.USAGE, "no run " + runId + " in the runs table; treeline runs list shows them");
    }
}
