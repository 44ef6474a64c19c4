package dev.treeline.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.format.Evaluation;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import dev.treeline.pipelines.util.Json;
import dev.treeline.training.bundle.BundleScorer;
import dev.treeline.training.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression and multiclass through the whole flights pipeline: train, save, score as serving does, and measure. */
class TaskPipelinesTest {
    static final LocalDate START = LocalDate.of(2001, 1, 1);
    static final LocalDate DATE = START.plusDays(19);
    static final String CLASSES = "CASE WHEN delay <= 0 THEN 0 WHEN delay <= 15 THEN 1 ELSE 2 END";

    @TempDir static Path tmp;
    static SparkSession spark;
    static Path data;

    @BeforeAll
    static void data() {
        spark = TestSpark.session();
        data = SyntheticFlights.write(spark, tmp.resolve("raw"), START, 25, 400, 11);
    }

    record Ran(Catalog catalog, Path runDir, RunOutcome outcome) {}

    static Ran run(String name, String label, String trainParams, String extraFeatureKeys) {
        String spec = TestPipelines.flightsSpec(data, 14, null)
                .replace("label: delay > 15\n", "label: \"" + label + "\"\n" + extraFeatureKeys)
                .replace("{num_rounds: \"${ROUNDS:-30}\", early_stopping_rounds: 5, max_depth: \"${DEPTH:-4}\", eta: 0.3, num_workers: 1, nthread: 1, seed: 7}", trainParams)
                .replace("route: {encode: target, smoothing: 10}", "route: index")
                .replace("outputs: [evaluation]\n", "outputs: [evaluation]\n    params: {slices: [origin]}\n");
        assertTrue(spec.contains(trainParams), "fixture edited");
        Pipeline pipeline = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve(name), spec), Map.of());
        PipelineRunner runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws-" + name)), NoTracking::new, () -> spark, Progress.SILENT);
        RunOutcome outcome = runner.run(pipeline, DATE, RunOptions.DEFAULT);
        Path runDir = runner.store().runDir(pipeline.spec().name(), DATE, outcome.state().runId);
        return new Ran(new Catalog(spark, pipeline.spec(), tmp.resolve("ws-" + name), runDir, outcome.state().runId), runDir, outcome);
    }

    static Dataset<Row> holdout(Catalog catalog, ModelBundle bundle, String label) {
        Dataset<Row> rows = catalog.partitioned("flights_valid").read(DATE, DATE).withColumn("label", functions.expr(label).cast("double"));
        return dev.treeline.features.build.Enrichment.attach(catalog, dev.treeline.features.spec.FeatureSpec.parse(
                dev.treeline.pipelines.spec.SpecNode.parse(bundle.dir().resolve("feature_pipeline/features.yaml"),
                        dev.treeline.pipelines.spec.Interpolator.of(Map.of()))), rows, "day", "flight_aggregates", DATE, DATE);
    }

    @Test
    void regressionPredictsTheDelayInMinutes() {
        Ran r = run("regression", "delay", "{objective: reg:squarederror, num_rounds: 40, early_stopping_rounds: 5, max_depth: 3, eta: 0.2, "
                + "num_workers: 1, nthread: 1, validation_fraction: 0.2}", "");
        Evaluation e = r.catalog().readJson("evaluation", Evaluation.class);
        assertEquals("regression", e.task());
        assertEquals("rmse", e.headline());
        Map<String, Double> m = e.candidate();
        ModelBundle bundle = ModelBundle.at(r.catalog().directory("model"));
        assertEquals("reg:squarederror", bundle.meta().objective());
        Row check = BundleScorer.score(spark, bundle, holdout(r.catalog(), bundle, "delay"), "label")
                .agg(functions.sqrt(functions.avg(functions.pow(functions.col("score").minus(functions.col("label")), 2))),
                        functions.avg(functions.abs(functions.col("score").minus(functions.col("label")))), functions.stddev_pop("label"))
                .first();
        assertEquals(check.getDouble(0), m.get("rmse"), 1e-9, "RMSE of the served predictions");
        assertEquals(check.getDouble(1), m.get("mae"), 1e-9);
        assertTrue(m.get("rmse") < check.getDouble(2), "better than predicting the mean: " + m);
        assertTrue(m.get("r2") > 0.05 && m.get("r2") < 0.9, "some signal, much noise: " + m);
        assertTrue(m.get("rmse_ci_low") < m.get("rmse") && m.get("rmse") < m.get("rmse_ci_high"), "interval holds the RMSE: " + m);

        var slices = e.slices().get("origin");
        assertEquals(10, slices.size(), "the ten synthetic airports");
        assertEquals(400, slices.stream().mapToLong(s -> s.rows()).sum());
        var atl = slices.stream().filter(s -> s.value().equals("ATL")).findFirst().orElseThrow();
        Row atlCheck = BundleScorer.score(spark, bundle, holdout(r.catalog(), bundle, "delay"), "label", "origin").filter("origin = 'ATL'")
                .agg(functions.sqrt(functions.avg(functions.pow(functions.col("score").minus(functions.col("label")), 2))), functions.avg("label"))
                .first();
        assertEquals(atlCheck.getDouble(0), atl.rmse(), 1e-9, "RMSE of one airport");
        assertEquals(atlCheck.getDouble(1), atl.meanLabel(), 1e-9);
        assertEquals(null, atl.auc(), "no binary metrics for a regression model");
    }

    @Test
    void multiclassPredictsOneProbabilityPerClass() throws Exception {
        Ran r = run("multiclass", CLASSES, "{objective: multi:softprob, num_class: 3, num_rounds: 40, early_stopping_rounds: 5, max_depth: 3, "
                + "eta: 0.2, num_workers: 1, nthread: 1}", "");
        Evaluation e = r.catalog().readJson("evaluation", Evaluation.class);
        assertEquals("multiclass", e.task());
        Map<String, Double> m = e.candidate();
        ModelBundle bundle = ModelBundle.at(r.catalog().directory("model"));
        List<Row> scored = BundleScorer.score(spark, bundle, holdout(r.catalog(), bundle, CLASSES), "label").collectAsList();
        assertEquals(400, scored.size());
        double loss = 0;
        long correct = 0;
        for (Row row : scored) {
            List<Double> p = row.getList(2);
            assertEquals(3, p.size());
            assertEquals(1.0, p.get(0) + p.get(1) + p.get(2), 1e-5, "probabilities sum to one");
            int predicted = (int) row.getDouble(1);
            assertEquals(p.indexOf(p.stream().max(Double::compare).orElseThrow()), predicted, "score is the most likely class");
            int actual = (int) row.getDouble(0);
            loss -= Math.log(p.get(actual));
            if (actual == predicted) correct++;
        }
        assertEquals(loss / 400, m.get("mlogloss"), 1e-9);
        assertEquals(correct / 400.0, m.get("accuracy"), 1e-12);
        assertTrue(m.get("mlogloss") < Math.log(3), "better than a uniform guess: " + m);
        assertTrue(m.get("macro_f1") > 0.2 && m.get("macro_f1") < 1, "" + m);
        assertTrue(m.get("mlogloss_ci_low") < m.get("mlogloss") && m.get("mlogloss") < m.get("mlogloss_ci_high"), "" + m);
        Path artifacts = r.runDir().resolve("scratch/evaluate/evaluation");
        var confusion = Json.MAPPER.readTree(artifacts.resolve("confusion_matrix.json").toFile()).get("rows_actual_columns_predicted");
        long total = 0;
        for (var rowNode : confusion) for (var c : rowNode) total += c.asLong();
        assertEquals(400, total, "every holdout row in the confusion matrix");
        var slices = e.slices().get("origin");
        assertEquals(400, slices.stream().mapToLong(s -> s.rows()).sum());
        var atl = slices.stream().filter(s -> s.value().equals("ATL")).findFirst().orElseThrow();
        List<Row> atlRows = BundleScorer.score(spark, bundle, holdout(r.catalog(), bundle, CLASSES), "label", "origin").filter("origin = 'ATL'")
                .collectAsList();
        assertEquals(atlRows.size(), atl.rows());
        assertEquals(atlRows.stream().filter(x -> x.getDouble(0) == x.getDouble(2)).count() / (double) atlRows.size(), atl.accuracy(), 1e-12);
        assertTrue(Files.isRegularFile(artifacts.resolve("shap_summary.png")));
        assertTrue(r.catalog().readJson("evaluation", Map.class).toString().contains("mlogloss"));
    }

    @Test
    void aLabelOutsideTheClassesIsRefusedNamingTheLabel() {
        var ex = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> run("badclass", "CASE WHEN delay <= 0 THEN 0 ELSE 5 END",
                "{objective: multi:softprob, num_class: 3, num_rounds: 5, num_workers: 1, nthread: 1}", ""));
        assertTrue(ex.getMessage().contains("training rows have a label outside what the objective takes (for example 5.0): the feature spec's "
                + "label (CASE WHEN delay <= 0 THEN 0 ELSE 5 END) must give a whole number from 0 to 2"), ex.getMessage());
    }

    @Test
    void rowWeightsFromTheFeatureSpecReachTraining() {
        String weight = "      weight: \"CASE WHEN origin = 'SEA' AND delay < 0 THEN NULL WHEN delay > 15 THEN 3.0 ELSE 1.0 END\"\n";
        Ran r = run("weighted", "delay > 15", "{num_rounds: 30, early_stopping_rounds: 5, max_depth: 3, num_workers: 1, nthread: 1}", weight);
        Dataset<Row> rows = r.catalog().read("training_features");
        assertTrue(List.of(rows.columns()).contains("weight"), "feature rows carry the weight");
        assertEquals(0, rows.filter("weight IS NULL OR weight NOT IN (1.0, 3.0)").count());
        assertEquals(0, rows.filter("label = 1 AND weight <> 3.0").count());
        double bad = r.outcome().state().number("features", "rows_bad_weight");
        assertTrue(bad > 0, "rows without a usable weight are counted: " + bad);
        // Left out like unlabelled rows: every day's input is accounted for.
        long input = r.catalog().partitioned("flights_valid").read(START, DATE).count();
        assertEquals(input, rows.count() + (long) bad + r.outcome().state().number("features", "rows_unlabelled").longValue()
                + rowsOutsideTheWindow(r));
        ModelBundle bundle = ModelBundle.at(r.catalog().directory("model"));
        Row check = BundleScorer.score(spark, bundle, holdout(r.catalog(), bundle, "delay > 15"), "label")
                .agg(functions.avg("score"), functions.avg("label")).first();
        assertTrue(check.getDouble(0) > check.getDouble(1) + 0.1, "positives weigh three times: mean score " + check.getDouble(0)
                + " vs positive rate " + check.getDouble(1));
    }

    /** Days before the train window: read by aggregates only. */
    private static long rowsOutsideTheWindow(Ran r) {
        return r.catalog().partitioned("flights_valid").read(START, DATE).filter(functions.col("day").lt(java.sql.Date.valueOf(DATE.minusDays(17)))).count();
    }
}
