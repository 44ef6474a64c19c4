package dev.treeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.scheduler.alerts.Alert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules and the Grafana dashboard in deploy/ name only metrics a controller exports: every
 * {@code treeline_*} series they use appears in a scrape after one attempt, one successful run with gate and
 * monitor numbers, and one alert. (promtool checks the rules themselves in ./scripts/test.)
 */
class DeployedMetricsTest {
    static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    @TempDir Path tmp;

    @Test
    void everyMetricTheRulesAndTheDashboardUseIsExported() throws Exception {
        Path f = tmp.resolve("schedule.yaml");
        Files.writeString(f, "controller: {metrics_port: -1}\nschedules:\n  - {name: s, pipeline: p.yaml, cron: \"0 0 3 * * ?\"}\n");
        ScheduleFile.Loaded config = ScheduleFile.loadAll(f, Map.of(), tmp.resolve("ws"), k -> null);
        String scrape;
        try (Controller c = new Controller(config.settings(), config.schedules(), (s, r, stop) -> null, l -> {})) {
            c.runs().heartbeat(c.instanceId());
            RunExecutor.Outcome o = new RunExecutor.Outcome(true, false, null, null, null, null, null, Map.of("a", 2.0),
                    Map.of("promote.gate_passed", 1.0, "promote.promoted", 1.0, "evaluate.holdout_auc", 0.73, "monitor.auc", 0.71,
                            "monitor.feature_psi_max", 0.04, "monitor.score_psi", 0.02, "monitor.breaches", 0.0));
            c.metrics().recordAttempt("s", o, true);
            c.metrics().recordSuccess("s", o);
            c.metrics().recordAlert(new Alert("run_failed:s", Alert.RUN_FAILED, Alert.Severity.CRITICAL, Alert.Status.FIRING, "x", Map.of(),
                    Instant.now()), false);
            RunRecord run = c.runs().enqueue("s", LocalDate.of(2001, 1, 1), "manual", false, null, null).orElseThrow();
            c.runs().finish(run.runId(), RunRecord.SUCCEEDED, null, null);
            scrape = c.metrics().scrape();
        }
        TreeSet<String> used = new TreeSet<>();
        for (String file : new String[] {"prometheus/alerts.yml", "prometheus/alerts_test.yml", "grafana/treeline-dashboard.json"}) {
            Matcher m = Pattern.compile("treeline_[a-z_]+").matcher(Files.readString(DEPLOY.resolve(file)));
            while (m.find()) used.add(m.group());
        }
        used.removeIf(n -> n.equals("treeline_controller") || n.equals("treeline_overview")); // the job label and the dashboard's uid
        assertTrue(used.size() >= 10, used.toString());
        TreeSet<String> missing = new TreeSet<>();
        for (String name : used) {
            if (!Pattern.compile("(?m)^" + name + "[{ ]").matcher(scrape).find()) missing.add(name);
        }
        assertEquals(new TreeSet<>(), missing, "named in deploy/ but not exported:\n" + scrape);
    }
}
