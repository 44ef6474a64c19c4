package dev.treeline.pipelines.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.pipelines.testing.TestPipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkSubmissionTest {
    @TempDir Path tmp;

    static SparkSpec spec(String yaml) {
        return TestPipelines.loadText("""
            pipeline: p
            %s
            datasets:
              raw: {path: /tmp/in.parquet}
              out: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [out], params: {time_column: date}}
            """.formatted(yaml)).spec().spark();
    }

    @Test
    void executorsAreSizedForTheXGBoostWorkersOnAStandaloneMaster() {
        Map<String, String> c = SparkSubmission.conf(SparkSpec.DEFAULT, Map.of(), "spark://m:7077", 4);
        assertEquals("4", c.get("spark.executor.instances"));
        assertEquals("1", c.get("spark.executor.cores"));
        assertEquals("4", c.get("spark.cores.max"));
        assertEquals("false", c.get("spark.dynamicAllocation.enabled"));
        assertEquals("24", c.get("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures"));
        assertTrue(c.get("spark.driver.extraJavaOptions").contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
    }

    @Test
    void theSpecsResourcesAndConfWinAndYarnGetsNoCoresMax() {
        SparkSpec s = spec("""
            spark:
              master: yarn
              deploy_mode: cluster
              executor: {instances: 10, cores: 4, memory: 8g}
              driver: {memory: 4g, cores: 2}
              conf: {spark.task.cpus: "2", spark.driver.extraJavaOptions: "-Dx=1", spark.dynamicAllocation.enabled: "true"}
            """);
        assertEquals("cluster", s.deployMode());
        Map<String, String> c = SparkSubmission.conf(s, Map.of("spark.executor.memory", "16g"), "yarn", 2);
        assertEquals("10", c.get("spark.executor.instances"));
        assertEquals("4", c.get("spark.executor.cores"));
        assertNull(c.get("spark.cores.max"));
        assertEquals("16g", c.get("spark.executor.memory"), "the target's conf over the spec's resources");
        assertEquals("4g", c.get("spark.driver.memory"));
        assertEquals("2", c.get("spark.driver.cores"));
        assertEquals("true", c.get("spark.dynamicAllocation.enabled"), "the spec's own setting is kept");
        assertTrue(c.get("spark.driver.extraJavaOptions").startsWith("-Dx=1 -XX:+IgnoreUnrecognizedVMOptions --add-opens"), c.get("spark.driver.extraJavaOptions"));
    }

    @Test
    void withoutWorkersNothingIsSized() {
        Map<String, String> c = SparkSubmission.conf(SparkSpec.DEFAULT, Map.of(), "spark://m:7077", 0);
        assertFalse(c.containsKey("spark.executor.instances"));
        assertFalse(c.containsKey("spark.dynamicAllocation.enabled"));
    }

    @Test
    void badResourcesAreRefusedWithTheKey() {
        var e = assertThrows(dev.treeline.pipelines.spec.SpecException.class, () -> spec("spark: {executor: {memory: lots}}"));
        assertTrue(e.getMessage().contains("'lots' is not a JVM memory size"), e.getMessage());
        var e2 = assertThrows(dev.treeline.pipelines.spec.SpecException.class, () -> spec("spark: {deploy_mode: remote}"));
        assertTrue(e2.getMessage().contains("remote"), e2.getMessage());
    }

    @Test
    void theDriverRunsTheSameCommandMarkedAsSubmitted() {
        List<String> args = SparkSubmission.runArgs(Path.of("/specs/p.yaml"), "2001-06-01", Path.of("/ws"), "yarn", "https://mlflow",
                Path.of("/ws/tmp/params-1.properties"), true, "train", null);
        assertEquals(List.of("run", "/specs/p.yaml", "--date", "2001-06-01", "--workspace", "/ws", "--master", "yarn", "--submitted",
                "--mlflow-uri", "https://mlflow", "--force", "--from-step", "train", "--param-file", "/ws/tmp/params-1.properties"), args);
    }

    @Test
    void extraJarsAreTheOnesTheSparkDistributionLacks() throws Exception {
        Path app = tmp.resolve("dist/treeline.jar");
        Files.createDirectories(app.getParent().resolve("lib"));
        Files.createDirectories(tmp.resolve("spark/jars"));
        for (String j : List.of("spark-core_2.12-3.5.9.jar", "xgboost4j-spark_2.12-3.4.0.jar", "treeline-pipelines-0.1.0-SNAPSHOT.jar")) {
            Files.writeString(app.getParent().resolve("lib").resolve(j), "");
        }
        Files.writeString(tmp.resolve("spark/jars/spark-core_2.12-3.5.9.jar"), "");
        assertEquals(List.of("treeline-pipelines-0.1.0-SNAPSHOT.jar", "xgboost4j-spark_2.12-3.4.0.jar"),
                SparkSubmission.extraJars(app, tmp.resolve("spark")).stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void aMissingSparkDistributionIsOneLineWithTheFix() {
        TreelineException e = assertThrows(TreelineException.class,
                () -> new SparkSubmission(new SparkSubmission.Target(tmp.resolve("nospark"), "yarn", "client", tmp.resolve("a.jar"), "M", Map.of())));
        assertEquals(ExitCode.SERVICE, e.exitCode());
        assertTrue(e.getMessage().contains("(bin/spark-submit is missing); set SPARK_HOME or --spark-home to a Spark 3.5.9 distribution"), e.getMessage());
    }
}
