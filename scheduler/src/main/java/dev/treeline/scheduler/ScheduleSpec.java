package dev.treeline.scheduler;

import dev.treeline.pipelines.spec.SpecNode;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.quartz.CronExpression;

/**
 * One schedule: which pipeline spec to run, when (a Quartz cron expression, seconds first, in a time
 * zone), for which logical date, what to do about fires missed while no controller ran, how many runs
 * may overlap, how failed steps are retried, and how long a step or a run may take.
 */
public record ScheduleSpec(String name, Path pipeline, String cron, ZoneId timeZone, LogicalDateRule logicalDate, Misfire misfire,
                           int maxConcurrentRuns, RetryPolicy retries, Deadlines deadlines, boolean enabled, Map<String, String> params,
                           int maxCatchUp, Duration successDeadline, String retrainSchedule) {

    /** Missed fires: none run ({@code skip}), one run now ({@code run_once}), or one run per missed fire, oldest first ({@code catch_up}). */
    public enum Misfire {
        SKIP, RUN_ONCE, CATCH_UP;

        static final List<String> NAMES = List.of("skip", "run_once", "catch_up");

        public String label() {
            return name().toLowerCase();
        }
    }

    /** A failed run is retried (resuming at the failed step) up to {@code attempts} times in all, waiting backoff × 2^(n-1), at most {@code maxBackoff}. */
    public record RetryPolicy(int attempts, Duration backoff, Duration maxBackoff) {
        public Duration delayBefore(int attempt) {
            long seconds = backoff.toSeconds() * (1L << Math.min(20, Math.max(0, attempt - 2)));
            return Duration.ofSeconds(Math.min(seconds, maxBackoff.toSeconds()));
        }
    }

    /** The schedule that retrains when a monitor step of this one finds the served model decayed: this one unless set. */
    public String retrainTarget() {
        return retrainSchedule != null ? retrainSchedule : name;
    }

    /** Longest a step and a whole run (all attempts) may take; null: no limit. */
    public record Deadlines(Duration step, Duration run) {}

    /**
     * The logical date of a fire: the fire date in the schedule's zone minus {@code offsetDays}; or, to
     * rehearse a schedule quickly, one logical day per {@code secondsPerDay} seconds counted from {@code start}.
     */
    public record LogicalDateRule(int offsetDays, Integer secondsPerDay, LocalDate start) {
        public LocalDate at(Instant fireTime, ZoneId zone) {
            if (secondsPerDay != null) return start.plusDays(Math.floorMod(fireTime.getEpochSecond() / secondsPerDay, 36_500));
            return ZonedDateTime.ofInstant(fireTime, zone).toLocalDate().minusDays(offsetDays);
        }
    }

    static ScheduleSpec from(SpecNode n, Path baseDir) {
        n.allowOnly("name", "pipeline", "cron", "time_zone", "logical_date_offset_days", "logical_date", "misfire", "max_concurrent_runs",
                "retries", "deadlines", "enabled", "params", "max_catch_up", "success_deadline_minutes", "success_deadline_seconds", "retrain_schedule");
        String name = n.requiredString("name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw n.require("name").error("'" + name + "' is not a schedule name: letters, digits, '.', '_', '-', at most 100");
        }
        Path pipeline = baseDir.resolve(n.requiredString("pipeline")).normalize();
        String cron = n.requiredString("cron");
        try {
            CronExpression.validateExpression(cron);
        } catch (ParseException e) {
            throw n.require("cron").error("'" + cron + "' is not a Quartz cron expression (" + e.getMessage()
                    + "); it has 6 or 7 fields, seconds first, e.g. '0 0 2 * * ?' for 02:00 every day");
        }
        ZoneId zone;
        String tz = n.string("time_zone", "UTC");
        try {
            zone = ZoneId.of(tz);
        } catch (DateTimeException e) {
            throw n.require("time_zone").error("'" + tz + "' is not a time zone; use an IANA name such as UTC or America/New_York");
        }
        LogicalDateRule rule;
        if (n.has("logical_date")) {
            SpecNode l = n.require("logical_date").allowOnly("offset_days", "rehearsal_seconds_per_day", "rehearsal_start");
            Integer perDay = l.has("rehearsal_seconds_per_day") ? l.require("rehearsal_seconds_per_day").asInt(1, 86_400) : null;
            if (perDay != null && !l.has("rehearsal_start")) throw l.error("rehearsal_seconds_per_day needs rehearsal_start (the first logical date)");
            rule = new LogicalDateRule(l.integer("offset_days", 1, 0, 365), perDay, l.has("rehearsal_start") ? l.require("rehearsal_start").asDate() : null);
        } else {
            rule = new LogicalDateRule(n.integer("logical_date_offset_days", 1, 0, 365), null, null);
        }
        Misfire misfire = n.has("misfire") ? Misfire.valueOf(n.require("misfire").asEnum(Misfire.NAMES).toUpperCase()) : Misfire.RUN_ONCE;
        RetryPolicy retries = new RetryPolicy(1, Duration.ofSeconds(60), Duration.ofHours(1));
        if (n.has("retries")) {
            SpecNode r = n.require("retries").allowOnly("attempts", "backoff_seconds", "max_backoff_seconds");
            retries = new RetryPolicy(r.integer("attempts", 3, 1, 100), Duration.ofSeconds(r.integer("backoff_seconds", 60, 0, 86_400)),
                    Duration.ofSeconds(r.integer("max_backoff_seconds", 3600, 0, 86_400)));
        }
        Deadlines deadlines = new Deadlines(null, null);
        if (n.has("deadlines")) {
            SpecNode d = n.require("deadlines").allowOnly("step_minutes", "run_minutes", "step_seconds", "run_seconds");
            deadlines = new Deadlines(duration(d, "step"), duration(d, "run"));
        }
        return new ScheduleSpec(name, pipeline, cron, zone, rule, misfire, n.integer("max_concurrent_runs", 1, 1, 100), retries, deadlines,
                n.bool("enabled", true), n.has("params") ? n.require("params").asStringMap() : Map.of(), n.integer("max_catch_up", 30, 1, 10_000),
                duration(n, "success_deadline"), n.string("retrain_schedule", null));
    }

    private static Duration duration(SpecNode d, String what) {
        if (d.has(what + "_seconds")) return Duration.ofSeconds(d.require(what + "_seconds").asInt(1, 30 * 86_400));
        if (d.has(what + "_minutes")) return Duration.ofMinutes(d.require(what + "_minutes").asInt(1, 30 * 1440));
        return null;
    }

    /** The logical date a fire at {@code fireTime} runs for. */
    public LocalDate logicalDate(Date fireTime) {
        return logicalDate.at(fireTime.toInstant(), timeZone);
    }
}
