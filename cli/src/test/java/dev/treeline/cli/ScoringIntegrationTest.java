package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.scheduler.Controller;
import dev.treeline.scheduler.InProcessExecutor;
import dev.treeline.scheduler.RunRecord;
import dev.treeline.scheduler.ScheduleFile;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStore;
import dev.treeline.pipelines.run.StepState;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.s3.Routing;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.steps.RegistryTags;
import dev.treeline.registry.testing.LocalStackFixture;
import dev.treeline.training.bundle.BundleScorer;
import dev.treeline.training.bundle.ModelBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Batch scoring and decay tracking on the real local stack (MLflow, S3Proxy), the training workspace deleted
 * before anything is scored: the model comes from S3 only. One model trained on generated flights whose label
 * relationship flips on day {@link #FLIP}; then `treeline score` and a scoring pipeline (ingest, validate, score,
 * monitor) in a new workspace. The A/B test runs last: it writes routing.json.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScoringIntegrationTest {
    static final LocalDate START = LocalDate.of(2001, 4, 1);
    static final LocalDate FLIP = START.plusDays(20);
    static final LocalDate TRAINED = FLIP.minusDays(1);

    @TempDir static Path tmp;
    static String model;
    static String mlflow;
    static Path data;
    static Path reference;
    static Path ws;
    static CliTest.Result train;

    @BeforeAll
    static void trainPushThenDeleteTheTrainingWorkspace() throws IOException {
        LocalStackFixture stack = LocalStackFixture.get();
        Path trainWs = tmp.resolve("train-ws");
        mlflow = stack.environment(trainWs).mlflowUri();
        model = "scoring-" + UUID.randomUUID().toString().substring(0, 8);
        SparkSession spark = TestSpark.session();
        // From FLIP on, late and on-time swap: a model trained before it ranks the new days backwards.
        Dataset<Row> rows = SyntheticFlights.frame(spark, START, 25, 1000, 5)
                .withColumn("flight_id", functions.concat(functions.lit("F"), functions.monotonically_increasing_id().cast("string")))
                .withColumn("delay", functions.when(functions.col("date").lt(functions.lit(java.sql.Timestamp.valueOf(FLIP.atStartOfDay()))),
                        functions.col("delay")).otherwise(functions.when(functions.col("delay").gt(15), -5L).otherwise(30L)));
        data = tmp.resolve("raw");
        rows.coalesce(1).write().mode(SaveMode.Overwrite).parquet(data.toString());
        Path spec = tmp.resolve("train.yaml");
        Files.writeString(spec, new PublishingSpec(model, source(), "date", contract(), """
            label: delay > 15
            time: {column: date}
            calendar: [day_of_week, minute_of_day]
            features:
              distance: numeric
              origin: native
              destination: index
            """, 14).yaml());
        train = CliTest.run("run", spec.toString(), "--date", TRAINED.toString(), "--workspace", trainWs.toString(), "--mlflow-uri", mlflow);
        assertEquals(0, train.code(), train.err() + train.out());
        // What the evaluation computed for the holdout's last day: the evaluated bundle (in the training run) on those rows.
        Path bundleDir;
        try (Stream<Path> files = Files.walk(trainWs.resolve("runs"))) {
            bundleDir = files.filter(p -> p.getFileName().toString().equals(ModelBundle.BOOSTER_UBJ)).findFirst().orElseThrow().getParent();
        }
        reference = tmp.resolve("reference");
        BundleScorer.score(spark, ModelBundle.at(bundleDir), holdoutDay(spark), "flight_id").write().parquet(reference.toString());
        AtomicFiles.deleteRecursively(trainWs);
        // A new workspace that knows only where the stack is: nothing of the training run.
        ws = tmp.resolve("scoring-ws");
        stack.environment(ws);
    }

    static String source() {
        return "path: " + data + "\nschema: {date: timestamp, delay: long, distance: long, origin: string, destination: string, flight_id: string}";
    }

    static Path contract() throws IOException {
        return Files.writeString(tmp.resolve("contract.yaml"), """
            columns:
              date: {type: timestamp, nullable: false}
              delay: {type: long, nullable: false}
              distance: {type: long, nullable: false}
              origin: {type: string, nullable: false}
              destination: {type: string, nullable: false}
              flight_id: {type: string, nullable: false}
            rows: {min: 1}
            """);
    }

    static Dataset<Row> holdoutDay(SparkSession spark) {
        return spark.read().parquet(data.toString()).filter(functions.to_date(functions.col("date")).equalTo(java.sql.Date.valueOf(TRAINED)));
    }

    static CliTest.Result cli(String... args) {
        String[] all = Stream.concat(Stream.of(args), Stream.of("--workspace", ws.toString(), "--mlflow-uri", mlflow)).toArray(String[]::new);
        return CliTest.run(all);
    }

    @Test
    @Order(1)
    void scoringReadsOnlyS3AndReproducesTheEvaluatedPredictions() throws IOException {
        SparkSession spark = TestSpark.session();
        Path input = tmp.resolve("holdout-day");
        holdoutDay(spark).write().parquet(input.toString());
        Path out = tmp.resolve("scored");
        CliTest.Result r = cli("score", model, "--input", input.toString(), "--date", TRAINED.toString(), "--output", out.toString(),
                "--id", "flight_id", "--pass-through", "origin");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("scored 1,000 of 1,000 rows with " + model + " version 1 (champion.json) -> "), r.out());
        assertFalse(Files.exists(tmp.resolve("train-ws")), "the training workspace is gone");

        Dataset<Row> scored = Catalog.partitionedAt(spark, "scores", out.toUri().toString(), tmp.resolve("lock"), "t").read(List.of(TRAINED));
        assertEquals(List.of("flight_id", "origin", "score", "model", "model_version", "variant", "scoring_run_id", "scored_at", "day"),
                List.of(scored.columns()));
        Map<String, Double> expected = new HashMap<>();
        for (Row row : spark.read().parquet(reference.toString()).collectAsList()) expected.put(row.getString(0), row.getDouble(1));
        double worst = 0;
        List<Row> got = scored.collectAsList();
        assertEquals(1000, got.size());
        for (Row row : got) {
            worst = Math.max(worst, Math.abs(expected.get(row.getString(0)) - row.getDouble(2)));
            assertEquals(model, row.getString(3));
            assertEquals("1", row.getString(4));
        }
        assertTrue(worst <= 1e-6, "max |score - evaluated| = " + worst);

        // A rerun of the day replaces it: still 1,000 rows, not 2,000.
        CliTest.Result again = cli("score", model + "@champion", "--input", input.toString(), "--date", TRAINED.toString(), "--output", out.toString(),
                "--id", "flight_id");
        assertEquals(0, again.code(), again.err() + again.out());
        assertEquals(1000, Catalog.partitionedAt(spark, "scores", out.toUri().toString(), tmp.resolve("lock"), "t").read(List.of(TRAINED)).count());
    }

    @Test
    @Order(2)
    void rowsThatCannotBeScoredAreRejectedWithTheReasonAndCounted() throws IOException {
        SparkSession spark = TestSpark.session();
        // distance as text: two values are not numbers.
        Path input = tmp.resolve("typed");
        holdoutDay(spark).limit(50).withColumn("distance", functions.when(functions.col("flight_id").isin(firstIds(spark, 2)), functions.lit("far"))
                .otherwise(functions.col("distance").cast("string"))).write().parquet(input.toString());
        Path out = tmp.resolve("typed-scored");
        CliTest.Result r = cli("score", model, "--input", input.toString(), "--date", TRAINED.toString(), "--output", out.toString(), "--id", "flight_id");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("scored 48 of 50 rows"), r.out());
        assertTrue(r.out().contains("rejected 2 rows"), r.out());
        Dataset<Row> rejects = Catalog.partitionedAt(spark, "rejects", tmp.resolve("typed-scored_rejects").toUri().toString(), tmp.resolve("lock"), "t").read(List.of(TRAINED));
        assertEquals(List.of("column 'distance': value 'far' is not bigint"), rejects.select("reject_reason").distinct().collectAsList().stream()
                .map(x -> x.getString(0)).toList());

        // A column the model reads is missing: every row is rejected, none lost.
        Path missing = tmp.resolve("missing");
        holdoutDay(spark).limit(30).drop("origin").write().parquet(missing.toString());
        CliTest.Result m = cli("score", model, "--input", missing.toString(), "--date", TRAINED.toString(), "--output", tmp.resolve("m").toString());
        assertEquals(0, m.code(), m.err() + m.out());
        assertTrue(m.out().contains("scored 0 of 30 rows"), m.out());
        assertTrue(m.out().contains("every row rejected: the input lacks column(s) [origin]"), m.out());
        assertEquals(30, Catalog.partitionedAt(spark, "rejects", tmp.resolve("m_rejects").toUri().toString(), tmp.resolve("lock"), "t")
                .read(List.of(TRAINED)).filter(functions.col("reject_reason").equalTo("missing required column 'origin'")).count());
    }

    static Object[] firstIds(SparkSession spark, int n) {
        return holdoutDay(spark).limit(n).select("flight_id").collectAsList().stream().map(x -> x.getString(0)).toArray();
    }

    @Test
    @Order(3)
    void theMonitorMarksTheVersionDecayedAndQueuesRetrainingOnTheSecondFlippedDayNotBefore() throws Exception {
        Path spec = tmp.resolve("scoring.yaml");
        Files.writeString(spec, """
            pipeline: %1$s-scoring
            model: {name: %1$s}
            datasets:
              raw:
            %2$s
              curated: {partitioned_by: day}
              unreadable: {partitioned_by: day}
              valid: {partitioned_by: day}
              rejects: {partitioned_by: day}
              scores: {partitioned_by: day}
              score_rejects: {partitioned_by: day}
              monitoring: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated, unreadable], params: {time_column: date}}
              - {name: validate, inputs: [curated], outputs: [valid, rejects, validation_report], params: {contract: %3$s}}
              - name: score
                inputs: [valid]
                outputs: [scores, score_rejects]
                params: {id: flight_id, pass_through: [origin], bucket: treeline-models, prefix: %1$s}
              - name: monitor
                inputs: [scores, valid]
                outputs: [monitoring]
                params:
                  id: flight_id
                  label_delay_days: 0
                  window_days: 3
                  decay: {auc_below_ci_low_days: 2, psi_threshold: 0.25, psi_top_k: 3}
                  on_decay: retrain
                  bucket: treeline-models
                  prefix: %1$s
            """.formatted(model, PublishingSpec.indent(source(), 4), contract()));
        // The scoring pipeline under a controller, as it runs nightly: its decay queues a run of the retraining schedule (a
        // stand-in pipeline here; what retraining does is the training pipeline's business, tested elsewhere).
        Path retrain = TestPipelines.writeSpec(tmp.resolve("retrain"), """
            pipeline: %s-retrain
            steps:
              - {name: a, type: count, outputs: [x], params: {id: retrain-%s}}
            """.formatted(model, model));
        Path scheduleFile = Files.writeString(tmp.resolve("schedule.yaml"), """
            controller: {metrics_port: -1, checkin_interval_millis: 1000}
            schedules:
              - {name: scoring, pipeline: %s, cron: "0 0 3 1 1 ? 2099", retrain_schedule: retrain}
              - {name: retrain, pipeline: %s, cron: "0 0 3 1 1 ? 2099"}
            """.formatted(spec, retrain.resolve("pipeline.yaml")));
        Environment env = LocalStackFixture.get().environment(ws);
        ScheduleFile.Loaded config = ScheduleFile.loadAll(scheduleFile, Map.of(), ws, k -> null);
        PipelineRunner runner = new PipelineRunner(env, Cli.tracking(env), SparkSession::active, l -> {});
        try (MlflowConnection conn = MlflowConnection.fromEnvironment(mlflow);
             Controller c = new Controller(config.settings(), config.schedules(), new InProcessExecutor(runner, (SparkSpec s) -> TestSpark.session(),
                     Map.of()), l -> {})) {
            c.start();
            for (LocalDate d = TRAINED; !d.isAfter(FLIP.plusDays(2)); d = d.plusDays(1)) {
                c.queue(config.schedule("scoring"), d, "manual", false, null, null);
                LocalDate day = d;
                long deadline = System.currentTimeMillis() + 180_000;
                while (c.runs().forDate("scoring", day).stream().noneMatch(RunRecord::finished)) {
                    assertTrue(System.currentTimeMillis() < deadline, "the scoring run for " + day + " did not finish");
                    Thread.sleep(200);
                }
                RunRecord run = c.runs().forDate("scoring", d).get(0);
                assertEquals(RunRecord.SUCCEEDED, run.state(), d + ": " + run.error());
                Map<String, String> tags = conn.registry().version(model, "1").tags();
                StepState monitor = monitorStep(d);
                List<RunRecord> retrains = c.runs().list("retrain", null, 10);
                if (d.isBefore(FLIP.plusDays(1))) {
                    assertNull(tags.get(RegistryTags.DECAYED), d + " is too early to call it decayed: " + monitor.summary);
                    assertFalse(monitor.numbers.containsKey("retrain"), d + ": " + monitor.numbers);
                    assertEquals(List.of(), retrains, d + ": no retraining yet");
                } else if (d.equals(FLIP.plusDays(1))) {
                    assertEquals(d.toString(), tags.get(RegistryTags.DECAYED), monitor.summary);
                    assertTrue(tags.get(RegistryTags.DECAY_REASON).matches("realised AUC 0\\.[0-9]{4} below the evaluated holdout.s CI lower bound 0\\.[0-9]{4} for 2 day\\(s\\) in a row.*"),
                            tags.get(RegistryTags.DECAY_REASON));
                    assertEquals(1.0, monitor.numbers.get("retrain"), monitor.numbers.toString());
                    assertEquals(1, retrains.size(), retrains.toString());
                    assertEquals(FLIP.plusDays(2), retrains.get(0).logicalDate(), "the retraining run is for the next logical date");
                    assertEquals(Controller.RETRAIN_KIND, retrains.get(0).kind());
                } else {
                    assertEquals(FLIP.plusDays(1).toString(), tags.get(RegistryTags.DECAYED), "the first decayed day stays");
                    assertFalse(monitor.numbers.containsKey("retrain"), "asked to retrain once: " + monitor.numbers);
                    assertEquals(1, retrains.size(), "still one retraining run: " + retrains);
                }
                if (d.equals(TRAINED)) assertTrue(monitor.numbers.get("auc") > 0.6, monitor.summary);
                if (!d.isBefore(FLIP)) assertTrue(monitor.numbers.get("auc") < 0.45, monitor.summary);
            }
        }
        List<String> audit = Files.readAllLines(Workspace.at(ws).audit().resolve(model + ".jsonl"));
        assertEquals(1, audit.stream().filter(l -> l.contains("\"action\":\"decayed\"")).count(), audit.toString());
        assertTrue(audit.stream().anyMatch(l -> l.contains("\"day\":\"" + FLIP.plusDays(1) + "\"") && l.contains("\"on_decay\":\"retrain\"")), audit.toString());

        CliTest.Result table = cli("models", "monitor", model, "--history");
        assertEquals(0, table.code(), table.err() + table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith(FLIP.plusDays(1) + "  1 ") && l.contains("below the evaluated holdout's CI")), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("1 ") && l.contains(FLIP.plusDays(1).toString())), table.out());
        CliTest.Result json = cli("models", "monitor", model, "--output", "json");
        assertEquals(0, json.code(), json.err());
        var parsed = dev.treeline.pipelines.util.Json.MAPPER.readTree(json.out());
        assertEquals(model, parsed.path("model").asText());
        assertEquals(TRAINED.toString(), parsed.path("days").get(0).path("day").asText(), json.out());
        assertEquals(4, parsed.path("days").size(), json.out());
        assertTrue(parsed.path("days").get(3).path("auc").asDouble() < 0.45, json.out());
    }

    static StepState monitorStep(LocalDate d) {
        RunState state = new RunStore(Workspace.at(ws).runs()).load(model + "-scoring", d);
        return state.steps.stream().filter(s -> s.name.equals("monitor")).findFirst().orElseThrow();
    }

    @Test
    @Order(4)
    void anAbTestSplitsRowsSeventyThirtyByIdAndKeepsEachIdOnOneVersion() throws IOException {
        SparkSession spark = TestSpark.session();
        LocalStackFixture stack = LocalStackFixture.get();
        try (S3Client s3 = S3Clients.create(stack.environment(ws).s3())) {
            S3Publisher pub = new S3Publisher(s3, "treeline-models", model, stack.environment(ws).s3());
            // Version 2 is version 1's files published again: two versions for the split, same predictions.
            Path v1 = tmp.resolve("v1");
            assertEquals(List.of(), pub.download(model, "1", v1));
            pub.publishVersion(v1, model, "2", "test", Map.of(), Map.of());
            String sha1 = pub.published(model, "1").orElseThrow().getValue();
            String sha2 = pub.published(model, "2").orElseThrow().getValue();
            pub.writeRouting(new Routing(model, "exp-70-30", Routing.RUNNING, List.of(
                    new Routing.Variant("control", "1", 70, pub.versionPrefix(model, "1"), sha1),
                    new Routing.Variant("treatment", "2", 30, pub.versionPrefix(model, "2"), sha2)), "2001-04-01T00:00:00Z", null, null));
        }
        Path input = tmp.resolve("many");
        SyntheticFlights.frame(spark, START, 10, 2000, 9).withColumn("flight_id", functions.concat(functions.lit("X"),
                functions.monotonically_increasing_id().cast("string"))).write().parquet(input.toString());
        Path out = tmp.resolve("ab");
        CliTest.Result r = cli("score", model, "--input", input.toString(), "--date", FLIP.toString(), "--output", out.toString(), "--id", "flight_id");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("A/B control v1 "), r.out());
        Dataset<Row> first = Catalog.partitionedAt(spark, "s", out.toUri().toString(), tmp.resolve("lock"), "t").read(List.of(FLIP));
        long total = first.count();
        long control = first.filter(functions.col("model_version").equalTo("1")).count();
        assertEquals(20_000, total);
        double share = control / (double) total;
        assertTrue(Math.abs(share - 0.70) <= 0.02, "control share " + share);

        // The same ids in another order and partitioning, scored again: every id keeps its version.
        Path shuffled = tmp.resolve("many-shuffled");
        spark.read().parquet(input.toString()).orderBy(functions.rand(3)).repartition(7).write().parquet(shuffled.toString());
        Path out2 = tmp.resolve("ab2");
        assertEquals(0, cli("score", model, "--input", shuffled.toString(), "--date", FLIP.toString(), "--output", out2.toString(), "--id", "flight_id").code());
        Dataset<Row> second = Catalog.partitionedAt(spark, "s", out2.toUri().toString(), tmp.resolve("lock"), "t").read(List.of(FLIP));
        long moved = first.as("a").join(second.as("b"), "flight_id").filter(functions.col("a.model_version").notEqual(functions.col("b.model_version"))).count();
        assertEquals(0, moved, "ids that changed version between runs");
    }
}
