package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.format.Calibration;
import dev.treeline.pipelines.format.ModelMeta;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStore;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.registry.testing.LocalStackFixture;
import dev.treeline.training.bundle.BundleScorer;
import dev.treeline.training.bundle.ModelBundle;
import dev.treeline.features.build.FeaturePipelineFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import ml.dmlc.xgboost4j.java.Booster;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables without a time column, end to end on the local stack (MLflow, S3Proxy) from the command line:
 * the shipped German credit example (a stratified split of one table, tuning, refit) on a generated table of
 * its shape, and a classic train/test pair ({@code holdout: {dataset}}) with isotonic calibration, each
 * through push and {@code treeline models verify}.
 */
class SplitPipelineIntegrationTest {
    static final LocalDate DATE = LocalDate.of(2026, 1, 1);

    @TempDir Path tmp;

    private static CliTest.Result cli(Path ws, String mlflow, String... args) {
        return CliTest.run(Stream.concat(Stream.of(args), Stream.of("--workspace", ws.toString(), "--mlflow-uri", mlflow)).toArray(String[]::new));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void theGermanCreditExampleSplitsOneTableStratifiedCrossValidatesAndShipsAVerifiedChampion() throws Exception {
        LocalStackFixture stack = LocalStackFixture.get();
        Path ws = tmp.resolve("ws");
        String mlflow = stack.environment(ws).mlflowUri();
        int rows = 900;
        long bad = CreditTable.write(tmp.resolve("data/german-credit/german.data"), rows, 11, false, 0);
        String model = "credit-" + UUID.randomUUID().toString().substring(0, 6);
        Path spec = copyExample(model);

        String[] params = {"-p", "TREELINE_DATA_DIR=" + tmp.resolve("data"), "-p", "TRIALS=3", "-p", "APPROVAL=auto_when_gate_passes"};
        CliTest.Result run = cli(ws, mlflow, concat(new String[] {"run", spec.toString(), "--date", DATE.toString()}, params));
        assertEquals(0, run.code(), run.err() + run.out());
        assertTrue(run.out().contains("[8/8] push: ok"), run.out());

        RunState state = new RunStore(ws.resolve("runs")).load(model, DATE);
        assertEquals((double) rows, state.number("ingest", "rows_in"), "the whole table is the date's snapshot");
        long good = rows - bad;
        // Stratified: each class contributes exactly its share to the holdout; cross-validation replaces the validation share.
        long holdout = CreditTable.stratifiedShare(bad, 0.2) + CreditTable.stratifiedShare(good, 0.2);
        assertEquals((double) holdout, state.number("features", "rows_holdout"));
        assertEquals(0.0, state.number("features", "rows_validation"));
        assertEquals((double) (rows - holdout), state.number("features", "rows_train"));

        // Five folds, each reported, then the shipped model on every non-holdout row with the mean rounds scaled by 5/4.
        for (int k = 1; k <= 5; k++) assertTrue(state.number("train", "cv_fold" + k + "_auc") > 0.5, "fold " + k);
        double mean = (state.number("train", "cv_fold1_auc") + state.number("train", "cv_fold2_auc") + state.number("train", "cv_fold3_auc")
                + state.number("train", "cv_fold4_auc") + state.number("train", "cv_fold5_auc")) / 5;
        assertEquals(mean, state.number("train", "cv_auc_mean"), 1e-12);
        assertTrue(state.number("train", "cv_auc_sd") > 0);
        assertEquals((double) (rows - holdout), state.number("train", "refit_rows"));
        long scaled = Math.max(1, Math.round(state.number("train", "cv_rounds_mean") * 5 / 4.0));
        assertEquals((double) scaled, state.number("train", "refit_rounds"));
        ModelBundle bundle = assertShippedRounds(ws, scaled);
        assertEquals(scaled, bundle.meta().iterationEnd());
        assertTrue(state.number("evaluate", "holdout_auc") > 0.65, "holdout AUC " + state.number("evaluate", "holdout_auc"));
        assertTrue(state.number("evaluate", "holdout_cost_per_row") > 0, "the cost matrix priced the holdout errors");

        CliTest.Result verify = cli(ws, mlflow, "models", "verify", model, "champion");
        assertEquals(0, verify.code(), verify.err() + verify.out());
        assertTrue(verify.out().contains("(champion)") && verify.out().contains(": OK"), verify.out());

        // A rerun places every row where it was: the same counts and the same holdout AUC.
        CliTest.Result again = cli(ws, mlflow, concat(new String[] {"run", spec.toString(), "--date", DATE.toString(), "--force"}, params));
        assertEquals(0, again.code(), again.err() + again.out());
        RunState second = new RunStore(ws.resolve("runs")).load(model, DATE);
        assertEquals(state.number("features", "rows_holdout"), second.number("features", "rows_holdout"));
        assertEquals(state.number("evaluate", "holdout_auc"), second.number("evaluate", "holdout_auc"), 1e-12);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aTrainTestPairTakesTheHoldoutFromItsDatasetAndScoringAppliesTheCalibration() throws Exception {
        LocalStackFixture stack = LocalStackFixture.get();
        Path ws = tmp.resolve("ws");
        String mlflow = stack.environment(ws).mlflowUri();
        CreditTable.write(tmp.resolve("train/applicants.txt"), 1200, 21, true, 0);
        CreditTable.write(tmp.resolve("test/applicants.txt"), 300, 22, true, 100_000);
        String model = "traintest-" + UUID.randomUUID().toString().substring(0, 6);
        Path spec = Files.writeString(tmp.resolve("pipeline.yaml"), trainTestSpec(model));

        CliTest.Result run = cli(ws, mlflow, "run", spec.toString(), "--date", DATE.toString());
        assertEquals(0, run.code(), run.err() + run.out());
        RunState state = new RunStore(ws.resolve("runs")).load(model, DATE);
        assertEquals(300.0, state.number("features", "rows_holdout"), "the holdout is the test file, all of it");
        assertEquals(1200.0, state.number("features", "rows_train") + state.number("features", "rows_validation"));
        double val = state.number("features", "rows_validation");
        assertTrue(val > 180 && val < 300, "about 20% of the training file validates: " + val);
        assertTrue(state.number("train", "calibration_validation_logloss_calibrated") <= state.number("train", "calibration_validation_logloss_raw") + 1e-9);
        assertNotNull(state.number("evaluate", "holdout_logloss_uncalibrated"), "the holdout's log loss without the calibration");
        assertNotNull(state.number("evaluate", "holdout_calibration_error_uncalibrated"));
        assertNotNull(state.number("train", "final_eta_halved"), "after tuning, half the learning rate was tried");

        // Refit: the shipped model trained on training + validation rows, the early-stopped rounds scaled to them.
        double train = state.number("features", "rows_train");
        double best = state.number("train", "early_stopping_best_iteration");
        assertEquals(1200.0, state.number("train", "refit_rows"));
        long scaled = Math.max(1, Math.round((best + 1) * 1200 / train));
        assertEquals((double) scaled, state.number("train", "refit_rounds"));
        assertShippedRounds(ws, scaled);

        CliTest.Result verify = cli(ws, mlflow, "models", "verify", model, "champion");
        assertEquals(0, verify.code(), verify.err() + verify.out());

        // Scoring from S3 applies the bundle's calibration: each score is the calibration of the booster's raw score.
        Path out = tmp.resolve("scored");
        CliTest.Result scored = cli(ws, mlflow, "score", model, "--input", "test_valid", "--spec", spec.toString(),
                "--date", DATE.toString(), "--output", out.toString(), "--id", "applicant_id");
        assertEquals(0, scored.code(), scored.err() + scored.out());
        SparkSession spark = TestSpark.session();
        ModelBundle bundle = ModelBundle.at(bundleDir(ws));
        ModelMeta meta = bundle.meta();
        Calibration calibration = meta.calibration();
        assertNotNull(calibration, "the bundle carries the calibration");
        assertEquals(Calibration.ISOTONIC, calibration.method());
        Dataset<Row> raw = spark.read().option("header", "true").option("delimiter", " ").option("inferSchema", "true")
                .csv(tmp.resolve("test/applicants.txt").toString());
        Dataset<Row> vectors = bundle.loadFeaturePipeline().transform(raw).select("applicant_id", FeaturePipelineFactory.FEATURES);
        Map<Long, Double> uncalibrated = new HashMap<>();
        for (Row r : BundleScorer.predict(spark, vectors, FeaturePipelineFactory.FEATURES, bundle.boosterBytes(), meta.featureNames().size(),
                meta.iterationEnd(), BundleScorer.Output.VALUE, false).select("applicant_id", BundleScorer.SCORE).collectAsList()) {
            uncalibrated.put(((Number) r.get(0)).longValue(), r.getDouble(1));
        }
        List<Row> got = Catalog.partitionedAt(spark, "scores", out.toUri().toString(), tmp.resolve("lock"), "t").read(List.of(DATE))
                .select(functions.col("applicant_id").cast("long"), functions.col("score")).collectAsList();
        assertEquals(300, got.size());
        double worst = 0;
        int changed = 0;
        for (Row r : got) {
            double rawScore = uncalibrated.get(r.getLong(0));
            worst = Math.max(worst, Math.abs(calibration.apply(rawScore) - r.getDouble(1)));
            if (Math.abs(rawScore - r.getDouble(1)) > 1e-3) changed++;
        }
        assertTrue(worst <= 1e-6, "max |served - calibrate(raw)| = " + worst);
        assertTrue(changed > 30, "the calibration moved the scores (" + changed + " of 300 by more than 0.001)");
    }

    private Path copyExample(String model) throws IOException {
        Path src = Path.of("..", "examples", "german-credit");
        Path dst = tmp.resolve("example");
        Files.createDirectories(dst.resolve("contracts"));
        for (String f : List.of("pipeline.yaml", "features.yaml", "contracts/german-credit.yaml")) Files.copy(src.resolve(f), dst.resolve(f));
        Path spec = dst.resolve("pipeline.yaml");
        Files.writeString(spec, Files.readString(spec).replace("name: german-credit", "name: " + model).replace("pipeline: german-credit", "pipeline: " + model)
                .replace("${TREELINE_S3_BUCKET:-treeline-models}", "treeline-models\n      prefix: " + model));
        return spec;
    }

    /** Asserts the last bundle's booster has {@code rounds} boosted rounds, and returns the bundle. */
    private static ModelBundle assertShippedRounds(Path ws, long rounds) throws Exception {
        ModelBundle bundle = ModelBundle.at(bundleDir(ws));
        Booster booster = bundle.loadBooster();
        try {
            assertEquals(rounds, booster.getNumBoostedRound(), "the shipped booster has the scaled round count");
        } finally {
            booster.dispose();
        }
        return bundle;
    }

    /** The one model bundle the workspace's runs wrote (the last run's). */
    private static Path bundleDir(Path ws) throws IOException {
        try (Stream<Path> files = Files.walk(ws.resolve("runs"))) {
            return files.filter(p -> p.getFileName().toString().equals(ModelBundle.META)).max((a, b) -> Long.compare(a.toFile().lastModified(),
                    b.toFile().lastModified())).orElseThrow().getParent();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    private String trainTestSpec(String model) {
        String schema = "{applicant_id: long, checking_status: string, duration_months: long, credit_history: string, purpose: string, "
                + "credit_amount: long, savings: string, employment_since: string, installment_rate: long, personal_status_sex: string, "
                + "other_debtors: string, residence_since: long, property: string, age: long, other_installment_plans: string, housing: string, "
                + "existing_credits: long, job: string, people_liable: long, telephone: string, foreign_worker: string, credit_risk: long}";
        return """
            pipeline: %1$s
            model: {name: %1$s}
            split:
              method: random
              validation: 0.2
              holdout: {dataset: test_valid}
            datasets:
              train_raw: {format: csv, path: %2$s, options: {delimiter: " "}, schema: %4$s}
              test_raw: {format: csv, path: %3$s, options: {delimiter: " "}, schema: %4$s}
              train_rows: {partitioned_by: day}
              test_rows: {partitioned_by: day}
              train_valid: {partitioned_by: day}
              test_valid: {partitioned_by: day}
              train_rejects: {partitioned_by: day}
              test_rejects: {partitioned_by: day}
            steps:
              - {name: ingest_train, type: ingest, inputs: [train_raw], outputs: [train_rows]}
              - {name: ingest_test, type: ingest, inputs: [test_raw], outputs: [test_rows]}
              - {name: validate_train, type: validate, inputs: [train_rows], outputs: [train_valid, train_rejects], params: {contract: %5$s}}
              - {name: validate_test, type: validate, inputs: [test_rows], outputs: [test_valid, test_rejects], params: {contract: %5$s}}
              - name: features
                inputs: [train_valid, test_valid]
                outputs: [training_features, feature_pipeline]
                params:
                  label: credit_risk = 2
                  features: {checking_status: native, duration_months: numeric, credit_history: index, age: numeric, credit_amount: numeric}
              - name: train
                type: xgboost_train
                inputs: [training_features, feature_pipeline]
                outputs: [model]
                params: {num_rounds: 200, early_stopping_rounds: 10, max_depth: 3, eta: 0.1, num_workers: 1, nthread: 1, seed: 3, calibrate: isotonic,
                         tune: {trials: 3}}
              - {name: evaluate, inputs: [train_valid, model, test_valid], outputs: [evaluation]}
              - {name: register, inputs: [model, evaluation], outputs: [model_version]}
              - name: promote
                inputs: [evaluation, model_version]
                outputs: [promotion]
                params: {metric: auc, significance: false, approval: auto_when_gate_passes}
              - {name: push, inputs: [promotion], outputs: [publication], params: {bucket: treeline-models, prefix: %1$s}}
            """.formatted(model, tmp.resolve("train/applicants.txt"), tmp.resolve("test/applicants.txt"), schema,
                Path.of("..", "examples", "german-credit", "contracts", "german-credit.yaml").toAbsolutePath());
    }
}
