package dev.treeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.spec.SpecException;
import dev.treeline.pipelines.submit.SubmittedRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit mode's configuration, without a cluster (the cluster run itself is tested with issue 8's standalone cluster). */
class SparkSubmitExecutorTest {
    @TempDir Path tmp;

    @Test
    void theSubmitSectionBecomesTheRunCommandOfTheTreelineJar() throws Exception {
        Path f = tmp.resolve("s.yaml");
        Files.writeString(f, """
            controller:
              submit:
                spark_home: /opt/spark
                master: spark://10.0.0.5:7077
                deploy_mode: cluster
                app_jar: /opt/treeline/treeline.jar
                conf: {spark.executor.memory: 4g}
            schedules:
              - {name: nightly, pipeline: p.yaml, cron: "0 0 2 * * ?", params: {TRAIN_DAYS: "60"}}
            """);
        ScheduleFile.Loaded c = ScheduleFile.loadAll(f, Map.of(), tmp.resolve("ws"), k -> null);
        SparkSubmitExecutor.Submit s = c.settings().submit();
        assertEquals("cluster", s.deployMode());
        assertEquals("dev.treeline.cli.Treeline", s.mainClass());
        SparkSubmitExecutor e = new SparkSubmitExecutor(s, tmp.resolve("ws"), "https://mlflow.internal", Map.of("A", "1"));
        RunRecord run = new RunRecord("r-1", "nightly", LocalDate.of(2001, 6, 1), RunRecord.QUEUED, "manual", false, 1, null, null, null, null, null,
                null, null, null, null, null, null, false);
        SubmittedRun.RunRequest request = e.request(c.schedule("nightly"), run);
        assertEquals(Map.of("A", "1", "TRAIN_DAYS", "60"), request.params());
        // The values go to the driver in a file, never on spark-submit's command line.
        assertEquals(List.of("run", tmp.resolve("p.yaml").toString(), "--date", "2001-06-01", "--workspace", tmp.resolve("ws").toString(),
                "--master", "spark://10.0.0.5:7077", "--submitted", "--mlflow-uri", "https://mlflow.internal", "--param-file", "/ws/tmp/params-x.properties"),
                request.args(s.master(), run.logicalDate(), Path.of("/ws/tmp/params-x.properties")));
        assertEquals("cluster", s.deployMode());
    }

    @Test
    void submitWithoutASparkHomeLeavesItToTheCommandAndAnUnknownDeployModeIsRefused() throws Exception {
        Path f = tmp.resolve("s.yaml");
        Files.writeString(f, "controller:\n  submit: {master: yarn}\nschedules:\n  - {name: n, pipeline: p.yaml, cron: \"0 0 2 * * ?\"}\n");
        SparkSubmitExecutor.Submit s = ScheduleFile.loadAll(f, Map.of(), tmp.resolve("ws"), k -> null).settings().submit();
        assertEquals(null, s.sparkHome());
        assertEquals("client", s.deployMode());
        Files.writeString(f, "controller:\n  submit: {master: yarn, deploy_mode: remote}\nschedules:\n  - {name: n, pipeline: p.yaml, cron: \"0 0 2 * * ?\"}\n");
        SpecException ex = org.junit.jupiter.api.Assertions.assertThrows(SpecException.class,
                () -> ScheduleFile.loadAll(f, Map.of(), tmp.resolve("ws"), k -> null));
        assertTrue(ex.getMessage().contains("remote"), ex.getMessage());
    }
}
