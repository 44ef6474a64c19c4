package dev.treeline.scheduler;

import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.step.StepTypeNames;
import dev.treeline.pipelines.util.Redaction;
import dev.treeline.scheduler.alerts.Alert;
import dev.treeline.scheduler.alerts.AlertChannel;
import dev.treeline.scheduler.alerts.AlertSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Turns what the controller sees into incidents and notifications: a run that failed its last attempt, a
 * schedule with no success by its deadline, gates failed night after night, a decayed model, drift over a
 * rule's threshold, a controller without a heartbeat. Each incident notifies once when it opens and once
 * when it resolves ({@link IncidentsTable} decides, across controllers); a channel that fails is logged and
 * not retried (a webhook POST is not idempotent), and the other channels still get the alert.
 */
final class Alerts {
    /** Silent controllers are forgotten after this long (a restarted controller has a new id), which resolves their incident. */
    static final Duration FORGET_SILENT = Duration.ofHours(24);

    private final AlertSettings settings;
    private final IncidentsTable incidents;
    private final Progress progress;
    private final BiConsumer<Alert, Boolean> sent;

    /** {@code sent}: told of every notification and whether every channel took it (the metrics). */
    Alerts(AlertSettings settings, IncidentsTable incidents, Progress progress, BiConsumer<Alert, Boolean> sent) {
        this.settings = settings;
        this.incidents = incidents;
        this.progress = progress;
        this.sent = sent;
    }

    void fire(String key, String kind, Alert.Severity severity, String summary, Map<String, String> details) {
        if (!incidents.open(key, kind, severity.label(), summary)) return;
        notifyAll(new Alert(key, kind, severity, Alert.Status.FIRING, summary, details, Instant.now()));
    }

    void resolve(String key, String kind, Alert.Severity severity, String summary, Map<String, String> details) {
        if (!incidents.resolve(key)) return;
        notifyAll(new Alert(key, kind, severity, Alert.Status.RESOLVED, summary, details, Instant.now()));
    }

    private void notifyAll(Alert a) {
        progress.info("alert " + a.title() + ": " + a.summary());
        boolean ok = true;
        for (AlertChannel c : settings.channels()) {
            try {
                c.send(a);
            } catch (Exception e) {
                ok = false;
                progress.info("alert " + a.key() + ": " + c.describe() + " failed: " + Redaction.text(String.valueOf(e.getMessage())));
            }
        }
        sent.accept(a, ok);
    }

    // ---- what the controller reports ----------------------------------------------------------

    void runFailed(ScheduleSpec s, RunRecord run, int attempts, String error) {
        fire(key(Alert.RUN_FAILED, s.name()), Alert.RUN_FAILED, Alert.Severity.CRITICAL,
                "schedule " + s.name() + ": run " + run.runId() + " for " + run.logicalDate() + " failed after " + attempts + " attempt(s): "
                        + Redaction.text(String.valueOf(error)), details(s, run));
    }

    /** A successful run: resolves the schedule's failure, and judges the gate and monitor numbers it reported. */
    void runSucceeded(ScheduleSpec s, RunRecord run, Map<String, Double> numbers) {
        resolve(key(Alert.RUN_FAILED, s.name()), Alert.RUN_FAILED, Alert.Severity.CRITICAL,
                "schedule " + s.name() + ": run " + run.runId() + " for " + run.logicalDate() + " succeeded", details(s, run));
        Double gate = numbers.get(StepTypeNames.PROMOTE + ".gate_passed");
        if (gate != null) {
            String streakKey = key(Alert.GATE_FAILED, s.name());
            if (gate > 0) {
                incidents.reset(streakKey);
                resolve(streakKey, Alert.GATE_FAILED, Alert.Severity.WARNING, "schedule " + s.name() + ": the gate passed on " + run.logicalDate(),
                        details(s, run));
            } else {
                int nights = incidents.bump(streakKey);
                if (nights >= settings.gateFailedNights()) {
                    fire(streakKey, Alert.GATE_FAILED, Alert.Severity.WARNING, "schedule " + s.name() + ": the candidate failed the gate "
                            + nights + " runs in a row (last " + run.logicalDate() + "); the champion is getting old", details(s, run));
                }
            }
        }
        String m = StepTypeNames.MONITOR + ".";
        boolean monitored = numbers.keySet().stream().anyMatch(k -> k.startsWith(m));
        if (!monitored) return;
        Map<String, String> d = details(s, run);
        numbers.forEach((k, v) -> { if (k.startsWith(m)) d.put(k.substring(m.length()), String.format("%.4f", v)); });
        double breaches = numbers.getOrDefault(m + "breaches", 0.0);
        if (numbers.getOrDefault(m + "decayed", 0.0) > 0 || breaches > 0) {
            fire(key(Alert.MODEL_DECAYED, s.name()), Alert.MODEL_DECAYED, Alert.Severity.CRITICAL, "schedule " + s.name() + ": the served model "
                    + "breached its decay rules on the day judged by the run for " + run.logicalDate(), d);
        } else if (numbers.containsKey(m + "rows_labelled") || numbers.containsKey(m + "auc")) {
            resolve(key(Alert.MODEL_DECAYED, s.name()), Alert.MODEL_DECAYED, Alert.Severity.CRITICAL, "schedule " + s.name()
                    + ": the served model met its decay rules on the day judged by the run for " + run.logicalDate(), d);
        }
        if (numbers.getOrDefault(m + "drift", 0.0) > 0) {
            fire(key(Alert.DRIFT, s.name()), Alert.DRIFT, Alert.Severity.WARNING, "schedule " + s.name() + ": feature drift over the threshold "
                    + "(max PSI " + d.getOrDefault("feature_psi_max", "?") + ") in the run for " + run.logicalDate(), d);
        } else if (numbers.containsKey(m + "feature_psi_max")) {
            resolve(key(Alert.DRIFT, s.name()), Alert.DRIFT, Alert.Severity.WARNING, "schedule " + s.name() + ": drift back under the threshold "
                    + "in the run for " + run.logicalDate(), d);
        }
    }

    /** Schedules with a success deadline: late when their last fire is older than it and no run succeeded since. */
    void checkLate(Collection<ScheduleSpec> schedules, RunsTable runs, Instant now) {
        for (ScheduleSpec s : schedules) {
            if (s.successDeadline() == null || !s.enabled()) continue;
            Optional<Instant> fire = runs.lastFire(s.name());
            if (fire.isEmpty()) continue;
            Optional<Instant> success = runs.lastSuccess(s.name());
            boolean succeeded = success.isPresent() && !success.get().isBefore(fire.get());
            Map<String, String> d = new LinkedHashMap<>();
            d.put("schedule", s.name());
            d.put("fired_at", fire.get().toString());
            d.put("deadline", fire.get().plus(s.successDeadline()).toString());
            d.put("last_success", success.map(Instant::toString).orElse("never"));
            String key = key(Alert.RUN_LATE, s.name());
            if (succeeded) {
                resolve(key, Alert.RUN_LATE, Alert.Severity.WARNING, "schedule " + s.name() + ": a run succeeded at " + success.get(), d);
            } else if (!now.isBefore(fire.get().plus(s.successDeadline()))) {
                fire(key, Alert.RUN_LATE, Alert.Severity.WARNING, "schedule " + s.name() + ": no successful run within "
                        + s.successDeadline().toMinutes() + " min of the fire at " + fire.get(), d);
            }
        }
    }

    /** Other controllers whose heartbeat expired: down; heartbeating again, or forgotten after a day (a restarted one has a new id): resolved. */
    void checkControllers(RunsTable runs, String self, Duration expiry) {
        for (Map.Entry<String, Duration> e : runs.silences().entrySet()) {
            String id = e.getKey();
            if (id.equals(self)) continue;
            Duration silent = e.getValue();
            String key = key(Alert.CONTROLLER_DOWN, id);
            Map<String, String> d = new LinkedHashMap<>(Map.of("controller", id, "silent_seconds", Long.toString(silent.toSeconds())));
            if (silent.compareTo(expiry) <= 0) {
                resolve(key, Alert.CONTROLLER_DOWN, Alert.Severity.CRITICAL, "controller " + id + " is heartbeating again", d);
            } else if (silent.compareTo(FORGET_SILENT) > 0) {
                runs.forget(id);
                resolve(key, Alert.CONTROLLER_DOWN, Alert.Severity.CRITICAL, "controller " + id + " forgotten after " + silent.toHours()
                        + " h without a heartbeat", d);
            } else {
                fire(key, Alert.CONTROLLER_DOWN, Alert.Severity.CRITICAL, "controller " + id + ": no heartbeat for " + silent.toSeconds() + " s", d);
            }
        }
    }

    static String key(String kind, String subject) {
        return kind + ":" + subject;
    }

    private static Map<String, String> details(ScheduleSpec s, RunRecord run) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("schedule", s.name());
        d.put("logical_date", run.logicalDate().toString());
        d.put("run_id", run.runId());
        return d;
    }
}
