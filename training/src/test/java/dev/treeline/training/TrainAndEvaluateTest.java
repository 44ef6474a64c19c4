package dev.treeline.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainAndEvaluateTest {
    static final LocalDate START = LocalDate.of(2001, 1, 1);
    static final LocalDate DATE = START.plusDays(19);

    @TempDir static Path tmp;
    static SparkSession spark;
    static Pipeline pipeline;
    static PipelineRunner runner;
    static RunOutcome outcome;

    @BeforeAll
    static void runPipeline() {
        spark = TestSpark.session();
        Path data = SyntheticFlights.write(spark, tmp.resolve("raw"), START, 25, 400, 11);
        pipeline = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), TestPipelines.flightsSpec(data, 14, null)
                .replace("outputs: [evaluation]\n", "outputs: [evaluation]\n    params: {slices: [origin], seed: 3}\n")
                // refit: false ships the early-stopped model itself, whose trimming these tests check (refit: SplitPipelineIntegrationTest).
                .replace("num_workers: 1, nthread: 1, seed: 7}", "num_workers: 1, nthread: 1, seed: 7, baselines: [logistic_regression, gbt], "
                        + "baseline_gbt_rounds: 5, refit: false}")), Map.of());
        org.junit.jupiter.api.Assertions.assertTrue(pipeline.spec().steps().get(4).params().has("baselines"), "fixture edited");
        runner = new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, () -> spark, Progress.SILENT);
        outcome = runner.run(pipeline, DATE, RunOptions.DEFAULT);
    }

    Catalog catalog() {
        Path runDir = runner.store().runDir(pipeline.spec().name(), DATE, outcome.state().runId);
        return new Catalog(spark, pipeline.spec(), tmp.resolve("ws"), runDir, outcome.state().runId);
    }

    @Test
    void evaluationMeasuresTheCandidateOnTheHoldoutDayOnly() {
        Evaluation e = catalog().readJson("evaluation", Evaluation.class);
        assertEquals(DATE.toString(), e.holdoutFrom());
        assertEquals(DATE.toString(), e.holdoutTo());
        assertEquals("binary", e.task());
        assertEquals("auc", e.headline());
        assertEquals(400.0, e.candidate().get("rows"), "one day of 400 synthetic flights");
        double auc = e.candidate().get("auc");
        double logloss = e.candidate().get("logloss");
        assertTrue(auc > 0.68 && auc < 0.95, "learnable but noisy signal, AUC " + auc);
        assertTrue(logloss > 0.3 && logloss < 0.69, "better than a coin, log loss " + logloss);
        assertNull(e.champion(), "no registry, so no champion");
    }

    @Test
    void thresholdMetricsIntervalAndSlicesAgreeWithAnIndependentCount() {
        Evaluation e = catalog().readJson("evaluation", Evaluation.class);
        Map<String, Double> m = e.candidate();
        double auc = m.get("auc");
        double low = m.get("auc_ci_low");
        double high = m.get("auc_ci_high");
        double threshold = m.get("threshold");
        assertTrue(low < auc && auc < high, "the 95% interval holds the AUC: " + m);
        assertTrue(high - low > 0.03 && high - low < 0.25, "400 rows give a wide but finite interval: " + m);
        assertTrue(threshold > 0 && threshold < 1, "threshold chosen on the validation days: " + threshold);

        // Score the same holdout rows here and count by hand.
        ModelBundle bundle = ModelBundle.at(catalog().directory("model"));
        Dataset<Row> rows = catalog().partitioned("flights_valid").read(DATE, DATE)
                .withColumn("label", functions.expr("delay > 15").cast("double"));
        Dataset<Row> enriched = dev.treeline.features.build.Enrichment.attach(catalog(), dev.treeline.features.spec.FeatureSpec.parse(
                        dev.treeline.pipelines.spec.SpecNode.parse(bundle.dir().resolve("feature_pipeline/features.yaml"),
                                dev.treeline.pipelines.spec.Interpolator.of(Map.of()))), rows, "day", "flight_aggregates", DATE, DATE);
        List<Row> scored = BundleScorer.score(spark, bundle, enriched, "label", "origin").collectAsList();
        long tp = 0, fp = 0, fn = 0, tn = 0;
        double brier = 0;
        for (Row r : scored) {
            boolean positive = r.getDouble(2) >= threshold;
            boolean actual = r.getDouble(0) == 1.0;
            if (positive && actual) tp++;
            else if (positive) fp++;
            else if (actual) fn++;
            else tn++;
            brier += Math.pow(r.getDouble(2) - r.getDouble(0), 2);
        }
        assertEquals((double) tp / (tp + fp), m.get("precision"), 1e-12);
        assertEquals((double) tp / (tp + fn), m.get("recall"), 1e-12);
        assertEquals((double) (tp + tn) / scored.size(), m.get("accuracy"), 1e-12);
        assertEquals(2.0 * tp / (2 * tp + fp + fn), m.get("f1"), 1e-12);
        assertEquals(brier / scored.size(), m.get("brier"), 1e-12);
        assertTrue(m.get("pr_auc") > m.get("positives") / m.get("rows") && m.get("pr_auc") < 1, "PR AUC above the positive rate: " + m);

        var slices = e.slices().get("origin");
        assertEquals(10, slices.size(), "the ten synthetic airports");
        assertEquals(400, slices.stream().mapToLong(s -> s.rows()).sum());
        var atl = slices.stream().filter(s -> s.value().equals("ATL")).findFirst().orElseThrow();
        long atlRows = scored.stream().filter(r -> "ATL".equals(r.getString(1))).count();
        long atlPos = scored.stream().filter(r -> "ATL".equals(r.getString(1)) && r.getDouble(0) == 1.0).count();
        assertEquals(atlRows, atl.rows());
        assertEquals((double) atlPos / atlRows, atl.positiveRate(), 1e-12);
    }

    @Test
    void chartsAndShapSummaryAreWrittenForTheRun() throws Exception {
        Path dir = runner.store().runDir(pipeline.spec().name(), DATE, outcome.state().runId).resolve("scratch/evaluate/evaluation");
        for (String png : List.of("roc.png", "precision_recall.png", "calibration.png", "feature_importance.png", "shap_summary.png")) {
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(dir.resolve(png).toFile());
            assertNotNull(image, png + " is a PNG");
            assertEquals(800, image.getWidth(), png);
            assertEquals(600, image.getHeight(), png);
        }
        Map<String, Double> shap = new java.util.HashMap<>();
        dev.treeline.pipelines.util.Json.MAPPER.readTree(dir.resolve("shap_mean_abs.json").toFile()).fields()
                .forEachRemaining(f -> shap.put(f.getKey(), f.getValue().asDouble()));
        ModelBundle bundle = ModelBundle.at(catalog().directory("model"));
        assertEquals(new java.util.HashSet<>(bundle.meta().featureNames()), shap.keySet());
        List<String> top = shap.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(3).map(Map.Entry::getKey).toList();
        assertTrue(top.contains("minute_of_day"), "departure time drives the synthetic delays: " + top + " of " + shap);
    }

    @Test
    void bundleHoldsBoosterPipelineAndMeta() {
        Path dir = catalog().directory("model");
        for (String f : List.of(ModelBundle.BOOSTER_UBJ, ModelBundle.BOOSTER_JSON, ModelBundle.META, ModelBundle.IMPORTANCE,
                ModelBundle.FEATURE_PIPELINE + "/metadata/part-00000", ModelBundle.FEATURE_PIPELINE + "/treeline-features.json")) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        ModelBundle b = ModelBundle.at(dir);
        assertEquals(List.of("month", "day_of_month", "day_of_week", "minute_of_day", "distance", "origin", "destination", "route",
                "origin_delay_rate_3d", "origin_delay_rate_7d", "origin_flights_3d", "origin_flights_7d"), b.meta().featureNames());
        assertEquals(List.of("q", "q", "q", "q", "q", "q", "c", "q", "q", "q", "q", "q"), b.featureMeta().featureTypes());
        assertEquals("delay > 15", b.meta().label());
        assertTrue(b.meta().bestIteration() < b.meta().boostedRounds());
        Map<?, ?> importance = Json.MAPPER.convertValue(Json.parse(Files.exists(dir.resolve(ModelBundle.IMPORTANCE))
                ? readString(dir.resolve(ModelBundle.IMPORTANCE)) : "{}"), Map.class);
        assertTrue(importance.containsKey("minute_of_day"), "the strongest synthetic signal is used: " + importance);
    }

    @Test
    void theSavedModelStopsAtTheBestIteration() throws Exception {
        ModelBundle b = ModelBundle.at(catalog().directory("model"));
        assertTrue(b.meta().bestIteration() + 1 < b.meta().boostedRounds(), "early stopping trained rounds past the best: " + b.meta());
        Booster saved = b.loadBooster();
        try {
            assertEquals(b.meta().bestIteration() + 1, saved.getNumBoostedRound(), "trees after the best iteration are not in the file");
            com.fasterxml.jackson.databind.JsonNode json = Json.parse(readString(b.dir().resolve(ModelBundle.BOOSTER_JSON)));
            assertEquals(b.meta().bestIteration() + 1, json.path("learner").path("gradient_booster").path("model").path("trees").size());
        } finally {
            saved.dispose();
        }
    }

    @Test
    void nativeCategoryIsSplitAsACategory() throws Exception {
        ModelBundle b = ModelBundle.at(catalog().directory("model"));
        int destination = b.meta().featureNames().indexOf("destination");
        var trees = Json.parse(readString(b.dir().resolve(ModelBundle.BOOSTER_JSON))).at("/learner/gradient_booster/model/trees");
        int categorical = 0;
        for (var tree : trees) {
            for (int i = 0; i < tree.get("split_type").size(); i++) {
                if (tree.get("split_type").get(i).asInt() == 1) {
                    assertEquals(destination, tree.get("split_indices").get(i).asInt(), "only destination is declared categorical");
                    categorical++;
                }
            }
        }
        assertTrue(categorical > 0, "XGBoost made categorical splits on destination");
    }

    @Test
    void savedPipelineAndBoosterReproduceTheScoresOfTheRun() {
        ModelBundle b = ModelBundle.at(catalog().directory("model"));
        Dataset<Row> sample = spark.read().parquet(b.dir().resolve(ModelBundle.SCORING_SAMPLE).toString());
        assertEquals(400, sample.count(), "the whole holdout day (under the 1000-row cap)");
        List<Row> rows = BundleScorer.score(spark, b, sample, ModelBundle.EXPECTED_SCORE).collectAsList();
        double worst = 0;
        for (Row r : rows) worst = Math.max(worst, Math.abs(r.getDouble(0) - r.getDouble(1)));
        assertTrue(worst <= 1e-6, "reloaded pipeline + booster vs the in-run scores, worst difference " + worst);
        assertTrue(rows.stream().mapToDouble(r -> r.getDouble(1)).distinct().count() > 50, "scores vary: the check is not vacuous");
    }

    @Test
    void scorerMatchesNativeBoosterOnDenseMatrix() throws Exception {
        ModelBundle b = ModelBundle.at(catalog().directory("model"));
        Dataset<Row> raw = spark.read().parquet(b.dir().resolve(ModelBundle.SCORING_SAMPLE).toString()).limit(50);
        List<Row> scored = BundleScorer.score(spark, b, raw.withColumn("rid", functions.monotonically_increasing_id()), "rid")
                .orderBy("rid").collectAsList();
        List<Row> vectors = b.loadFeaturePipeline().transform(raw.withColumn("rid", functions.monotonically_increasing_id()))
                .orderBy("rid").select("features").collectAsList();
        int n = vectors.size();
        int f = b.meta().featureNames().size();
        float[] dense = new float[n * f];
        for (int i = 0; i < n; i++) {
            Vector v = (Vector) vectors.get(i).get(0);
            for (int j = 0; j < f; j++) dense[i * f + j] = (float) v.apply(j);
        }
        Booster booster = b.loadBooster();
        float[][] expected = booster.predict(new DMatrix(dense, n, f, Float.NaN), false, b.meta().iterationEnd());
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i][0], scored.get(i).getDouble(1), 1e-6, "row " + i);
        }
    }

    @Test
    void baselinesAreMeasuredOnTheSameHoldoutRows() {
        Map<String, Double> n = outcome.state().step("train").numbers;
        for (String b : List.of("logistic_regression", "gbt")) {
            double auc = n.get("baseline_" + b + "_holdout_auc");
            assertTrue(auc > 0.6 && auc < 0.95, b + " learns the synthetic signal: " + auc);
            assertTrue(n.get("baseline_" + b + "_seconds") > 0);
        }
        assertEquals(n.get("baseline_gbt_seconds") / 5, n.get("baseline_gbt_seconds_per_tree"), 1e-9);
    }

    @Test
    void sameInputsSpecAndSeedGiveAByteIdenticalModel() throws Exception {
        Path ws = tmp.resolve("ws-again");
        PipelineRunner again = new PipelineRunner(TestPipelines.env(ws), NoTracking::new, () -> spark, Progress.SILENT);
        RunOutcome second = again.run(pipeline, DATE, RunOptions.DEFAULT);
        Path first = catalog().directory("model");
        Path other = new Catalog(spark, pipeline.spec(), ws, again.store().runDir(pipeline.spec().name(), DATE, second.state().runId),
                second.state().runId).directory("model");
        for (String f : List.of(ModelBundle.BOOSTER_UBJ, ModelBundle.BOOSTER_JSON, ModelBundle.IMPORTANCE)) {
            assertArrayEquals(Files.readAllBytes(first.resolve(f)), Files.readAllBytes(other.resolve(f)), f + " differs between two identical runs");
        }
    }

    @Test
    void rerunningASucceededDateDoesNothing() {
        RunOutcome again = runner.run(pipeline, DATE, RunOptions.DEFAULT);
        assertEquals(RunOutcome.Kind.ALREADY_SUCCEEDED, again.kind());
        assertEquals(outcome.state().runId, again.state().runId);
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
