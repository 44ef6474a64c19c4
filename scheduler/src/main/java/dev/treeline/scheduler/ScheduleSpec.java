package dev.treeline.scheduler;

import dev.treeline.pipelines.spec.SpecNode;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import org.quartz.CronExpression;

/**
 * One schedule: which pipeline spec to run, when (a Quartz cron expression, seconds first, in a time
 * zone), and for which logical date: the fire date in that zone minus {@code logicalDateOffsetDays}.
 */
public record ScheduleSpec(String name, Path pipeline, String cron, ZoneId timeZone, int logicalDateOffsetDays,
                           boolean enabled, Map<String, String> params) {

    static ScheduleSpec from(SpecNode n, Path baseDir) {
        n.allowOnly("name", "pipeline", "cron", "time_zone", "logical_date_offset_days", "enabled", "params");
        String name = n.requiredString("name");
        Path pipeline = baseDir.resolve(n.requiredString("pipeline")).normalize();
        String cron = n.requiredString("cron");
        try {
            CronExpression.validateExpression(cron);
        } catch (java.text.ParseException e) {
            throw n.require("cron").error("'" + cron + "' is not a Quartz cron expression (" + e.getMessage()
                    + "); it has 6 or 7 fields, seconds first, e.g. '0 0 2 * * ?' for 02:00 every day");
        }
        ZoneId zone;
        String tz = n.string("time_zone", "UTC");
        try {
            zone = ZoneId.of(tz);
        } catch (java.time.DateTimeException e) {
            throw n.require("time_zone").error("'" + tz + "' is not a time zone; use an IANA name such as UTC or America/New_York");
        }
        return new ScheduleSpec(name, pipeline, cron, zone, n.integer("logical_date_offset_days", 1, 0, 365),
                n.bool("enabled", true), n.has("params") ? n.require("params").asStringMap() : Map.of());
    }

    /** The logical date a fire at {@code fireTime} runs for. */
    public LocalDate logicalDate(java.util.Date fireTime) {
        return ZonedDateTime.ofInstant(fireTime.toInstant(), timeZone).toLocalDate().minusDays(logicalDateOffsetDays);
    }
}
