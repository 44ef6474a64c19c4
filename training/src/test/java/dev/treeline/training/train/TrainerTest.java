package dev.treeline.training.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.training.bundle.BundleScorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer on feature rows made here with a known answer: early stopping, weights, the stratified
 * validation fraction, checkpoints (resume and retry), and tuning.
 */
class TrainerTest {
    static final WorkerPlan ONE = new WorkerPlan(1, 1);
    static final FeatureMeta META = new FeatureMeta(2, List.of(), List.of(), List.of("x1", "x2", "x3", "x4"), List.of("q", "q", "q", "q"),
            FeaturePipelineFactory.FEATURES, "y", null, "h", null, List.of(), List.of(), "snap");

    @TempDir Path tmp;
    SparkSession spark = TestSpark.session();

    @AfterEach
    void resetHook() {
        CheckpointedTraining.beforeSegment = r -> {};
    }

    static TrainParams params(String yaml) {
        return TrainParams.from(SpecNode.parse(yaml, "train.yaml", Interpolator.none()));
    }

    /**
     * Rows where the label is x1 * x2 > 0 (an interaction: no single split tells anything), flipped with
     * probability 0.1, plus two noise features; weight 5 on positives when {@code weighted}.
     */
    Dataset<Row> xor(int n, long seed, boolean weighted) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] x = {r.nextDouble() * 2 - 1, r.nextDouble() * 2 - 1, r.nextDouble() * 2 - 1, r.nextDouble() * 2 - 1};
            boolean y = (x[0] * x[1] > 0) != (r.nextDouble() < 0.1);
            rows.add(weighted ? RowFactory.create(y ? 1.0 : 0.0, y ? 5.0 : 1.0, Vectors.dense(x)) : RowFactory.create(y ? 1.0 : 0.0, Vectors.dense(x)));
        }
        StructType schema = new StructType().add("label", DataTypes.DoubleType);
        if (weighted) schema = schema.add("weight", DataTypes.DoubleType);
        schema = schema.add("features", SQLDataTypes.VectorType());
        return spark.createDataFrame(rows, schema);
    }

    static double meanPrediction(SparkSession spark, Booster b, Dataset<Row> rows) throws Exception {
        return BundleScorer.predict(spark, rows, "features", b.toByteArray("ubj"), 4, b.getNumBoostedRound(), BundleScorer.Output.VALUE, false)
                .agg(functions.avg("score")).first().getDouble(0);
    }

    @Test
    void earlyStoppingStopsAfterTheGivenRoundsWithoutImprovement() throws Exception {
        TrainParams p = params("{num_rounds: 500, early_stopping_rounds: 5, max_depth: 3, eta: 0.5}");
        XGBoostFit.Result r = XGBoostFit.fit(xor(2000, 1, false), xor(1000, 2, false), p, ONE, META, 1, 500, false, false, 0);
        assertTrue(r.rounds() < 500, "stopped early after " + r.rounds());
        assertEquals(r.bestIteration() + 1 + 5, r.rounds(), "five rounds past the best");
        assertEquals(r.rounds(), r.validationHistory().length);
        for (int i = r.bestIteration() + 1; i < r.rounds(); i++) {
            assertTrue(r.validationHistory()[i] >= r.bestValidation(), "no later round beats the best");
        }
    }

    @Test
    void aFitReportsItsRoundsAndBestValidationMetricAsItGoes() throws Exception {
        // Validation is watched only with early stopping; 60 rounds of patience never stop a 60-round fit.
        TrainParams p = params("{num_rounds: 60, early_stopping_rounds: 60, max_depth: 3, eta: 0.1}");
        List<double[]> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        XGBoostFit.Result r = XGBoostFit.fit(xor(20000, 13, false), xor(5000, 14, false), p, ONE, META, 1, 60, false, false, 0,
                (done, best) -> seen.add(new double[] {done, best}));
        assertFalse(seen.isEmpty(), "the fit reported progress");
        for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i)[0] >= seen.get(i - 1)[0], "rounds only go up: " + seen.size());
        double[] last = seen.get(seen.size() - 1);
        assertEquals(r.rounds(), (int) last[0], "the last report is every round");
        assertEquals(java.util.Arrays.stream(r.validationHistory()).min().orElseThrow(), last[1], 1e-6, "with the best validation logloss");
    }

    @Test
    void twoWorkersShareTheRowsThroughXGBoostsCollective() throws Exception {
        // Three input partitions for two workers: the rows' blocks are shuffled to the workers.
        Dataset<Row> train = xor(3000, 12, false).repartition(3);
        TrainParams p = params("{num_rounds: 30, early_stopping_rounds: 5, max_depth: 3, eta: 0.3}");
        XGBoostFit.Result two = XGBoostFit.fit(train, xor(1000, 13, false).repartition(3), p, new WorkerPlan(2, 1), META, 1, 30, false, false, 0);
        XGBoostFit.Result one = XGBoostFit.fit(train, xor(1000, 13, false).repartition(3), p, ONE, META, 1, 30, false, false, 0);
        assertEquals(one.rounds(), two.rounds(), "the same rounds whether one worker or two");
        assertEquals(one.bestValidation(), two.bestValidation(), 0.01, "histograms summed over both workers: the same fit up to sketch merging");
        assertTrue(two.bestValidation() < 0.45, "learned the interaction: " + two.bestValidation());
    }

    @Test
    void weightsMoveThePredictionsTowardTheHeavierClass() throws Exception {
        TrainParams p = params("{num_rounds: 40, early_stopping_rounds: 0, max_depth: 3}");
        Dataset<Row> check = xor(1000, 3, false);
        double plain = meanPrediction(spark, XGBoostFit.fit(xor(3000, 4, false), null, p, ONE, META, 1, 40, false, false, 0).booster(), check);
        double weighted = meanPrediction(spark, XGBoostFit.fit(xor(3000, 4, true), null, p, ONE, META, 1, 40, true, false, 0).booster(), check);
        assertTrue(plain > 0.4 && plain < 0.6, "balanced classes: " + plain);
        assertTrue(weighted > plain + 0.15, "positives weigh five times as much: " + weighted + " vs " + plain);
    }

    @Test
    void validationFractionIsStratifiedAndRepeatable() {
        Random r = new Random(5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) rows.add(RowFactory.create(r.nextDouble() < 0.1 ? 1.0 : 0.0, (long) i));
        Dataset<Row> data = spark.createDataFrame(rows, new StructType().add("label", DataTypes.DoubleType).add("id", DataTypes.LongType))
                .repartition(3);
        Dataset<Row> marked = ValidationSplit.mark(data, "label", 0.2, 7, true).cache();
        for (double cls : new double[] {0.0, 1.0}) {
            long all = marked.filter(functions.col("label").equalTo(cls)).count();
            long held = marked.filter(functions.col("label").equalTo(cls).and(functions.col(ValidationSplit.FLAG))).count();
            assertTrue(Math.abs(held - 0.2 * all) <= ValidationSplit.BUCKETS / 2.0, "class " + cls + ": " + held + " of " + all);
        }
        List<Long> first = marked.filter(functions.col(ValidationSplit.FLAG)).select("id").as(org.apache.spark.sql.Encoders.LONG()).collectAsList();
        List<Long> second = ValidationSplit.mark(data, "label", 0.2, 7, true).filter(functions.col(ValidationSplit.FLAG)).select("id")
                .as(org.apache.spark.sql.Encoders.LONG()).collectAsList();
        Collections.sort(first);
        List<Long> sortedSecond = new ArrayList<>(second);
        Collections.sort(sortedSecond);
        assertEquals(first, sortedSecond, "the same seed sets the same rows aside");
        marked.unpersist();
    }

    @Test
    void checkpointedTrainingResumesFromTheLastCheckpointAndMatchesAnUninterruptedFit() throws Exception {
        TrainParams p = params("{num_rounds: 12, early_stopping_rounds: 0, max_depth: 3, checkpoint_rounds: 4, checkpoint_retries: 0}");
        Dataset<Row> train = xor(2000, 6, false);
        CheckpointedTraining.Outcome whole = CheckpointedTraining.train(spark, train, null, p, ONE, META, 1, false, tmp.resolve("a"), "f", Progress.SILENT, null);
        assertEquals(12, whole.result().rounds());
        assertEquals(0, whole.resumedFromRound());

        CheckpointedTraining.beforeSegment = done -> {
            if (done == 8) throw new IllegalStateException("executor lost");
        };
        var failed = assertThrows(dev.treeline.pipelines.TreelineException.class,
                () -> CheckpointedTraining.train(spark, train, null, p, ONE, META, 1, false, tmp.resolve("b"), "f", Progress.SILENT, null));
        assertEquals("XGBoost failed on rounds 9-12 after 0 retries from the checkpoint at round 8: executor lost; rerun the date to resume there",
                failed.getMessage());
        CheckpointedTraining.beforeSegment = done -> assertTrue(done >= 8, "no segment before the checkpoint is trained again, got " + done);
        CheckpointedTraining.Outcome resumed = CheckpointedTraining.train(spark, train, null, p, ONE, META, 1, false, tmp.resolve("b"), "f", Progress.SILENT, null);
        assertEquals(8, resumed.resumedFromRound());
        assertEquals(12, resumed.result().rounds());
        assertArrayEquals(whole.result().booster().toByteArray("ubj"), resumed.result().booster().toByteArray("ubj"), "same model as without the crash");

        // Segments continue from margins: the model predicts what one 12-round fit predicts (to float rounding).
        Booster single = XGBoostFit.fit(train, null, p, ONE, META, 1, 12, false, false, 0).booster();
        Dataset<Row> check = xor(500, 7, false);
        double[] a = scores(whole.result().booster(), check);
        double[] b = scores(single, check);
        for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-4, "row " + i);

        // A different fingerprint (other params or data) ignores the checkpoint.
        CheckpointedTraining.beforeSegment = done -> {};
        assertEquals(0, CheckpointedTraining.train(spark, train, null, p, ONE, META, 1, false, tmp.resolve("b"), "other", Progress.SILENT, null)
                .resumedFromRound());
    }

    @Test
    void aFailedSegmentIsRetriedFromTheCheckpoint() throws Exception {
        TrainParams p = params("{num_rounds: 8, early_stopping_rounds: 0, max_depth: 3, checkpoint_rounds: 4, checkpoint_retries: 1}");
        int[] failures = {0};
        CheckpointedTraining.beforeSegment = done -> {
            if (done == 4 && failures[0]++ == 0) throw new IllegalStateException("task failed");
        };
        CheckpointedTraining.Outcome o = CheckpointedTraining.train(spark, xor(1000, 8, false), null, p, ONE, META, 1, false, tmp.resolve("c"), "f",
                Progress.SILENT, null);
        assertEquals(1, o.retries());
        assertEquals(8, o.result().rounds());
    }

    @Test
    void withoutEarlyStoppingEverySegmentIsTrainedEvenWithAValidationSet() throws Exception {
        TrainParams p = params("{num_rounds: 12, early_stopping_rounds: 0, max_depth: 3, eta: 0.5, checkpoint_rounds: 4}");
        CheckpointedTraining.Outcome o = CheckpointedTraining.train(spark, xor(1000, 1, false), xor(500, 2, false), p, ONE, META, 1, false,
                tmp.resolve("e"), "f", Progress.SILENT, null);
        assertEquals(12, o.result().rounds());
    }

    @Test
    void checkpointedEarlyStoppingStopsAcrossSegments() throws Exception {
        TrainParams p = params("{num_rounds: 400, early_stopping_rounds: 5, max_depth: 3, eta: 0.5, checkpoint_rounds: 7}");
        CheckpointedTraining.Outcome o = CheckpointedTraining.train(spark, xor(2000, 1, false), xor(1000, 2, false), p, ONE, META, 1, false,
                tmp.resolve("d"), "f", Progress.SILENT, null);
        XGBoostFit.Result r = o.result();
        assertTrue(r.rounds() < 400, "stopped after " + r.rounds());
        assertTrue(r.rounds() - 1 - r.bestIteration() >= 5, "at least five rounds past the best: " + r.rounds() + " / " + r.bestIteration());
        assertEquals(r.rounds(), r.validationHistory().length);
    }

    @Test
    void tuningBeatsAPoorStartOnAProblemThatNeedsDepth() throws Exception {
        // Depth-1 trees cannot learn x1 * x2 > 0; the search must find depth >= 2 and a useful step size.
        TrainParams p = params("{num_rounds: 40, early_stopping_rounds: 5, max_depth: 1, eta: 0.01, "
                + "tune: {method: tpe, trials: 14, startup_trials: 5, seed: 3, space: {max_depth: {int: [1, 6]}, eta: {log: [0.01, 0.5]}}}}");
        RecordingTracker parent = new RecordingTracker();
        Tuner.Outcome o = new Tuner(p.tune(), p, ONE, META, 1, false, parent, Progress.SILENT).search(xor(3000, 10, false), xor(1000, 11, false));
        Tuner.Trial start = o.trials().get(0);
        assertEquals(Map.of("max_depth", 1.0, "eta", 0.01), start.params(), "trial 0 is the spec's own parameters");
        assertEquals(14, o.trials().size());
        assertTrue(o.best().params().get("max_depth") >= 2, "an interaction needs depth: " + o.best());
        assertTrue(o.best().validation() < start.validation() - 0.2, "log loss " + o.best().validation() + " vs start " + start.validation());
        assertEquals(14, parent.children.size(), "one nested run per trial");
        assertTrue(parent.children.get(3).params.containsKey("max_depth"));
        assertTrue(parent.children.stream().allMatch(c -> c.ended), "every trial run is ended");
        assertTrue(o.count(Tuner.PRUNED) > 0, "hopeless trials are pruned: " + o.trials().stream().map(Tuner.Trial::state).toList());
    }

    /** Records nested runs and what is logged to them. */
    static final class RecordingTracker implements Tracker {
        final List<RecordingTracker> children = Collections.synchronizedList(new ArrayList<>());
        final Map<String, String> params = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Double> metrics = new java.util.concurrent.ConcurrentHashMap<>();
        volatile boolean ended;

        public String runId() { return "r"; }
        public String url() { return ""; }
        public void logParams(Map<String, String> p) { params.putAll(p); }
        public void logMetrics(Map<String, Double> m) { metrics.putAll(m); }
        public void logMetricHistory(String key, double[] values) {}
        public void setTags(Map<String, String> tags) {}
        public void logArtifacts(Path fileOrDirectory, String artifactPath) {}
        public void end(boolean succeeded) { ended = true; }
        public Tracker child(String name, Map<String, String> tags) {
            RecordingTracker c = new RecordingTracker();
            children.add(c);
            return c;
        }
    }

    private double[] scores(Booster b, Dataset<Row> rows) throws Exception {
        List<Row> out = BundleScorer.predict(spark, rows, "features", b.toByteArray("ubj"), 4, b.getNumBoostedRound(), BundleScorer.Output.VALUE, false)
                .select("score").collectAsList();
        double[] s = new double[out.size()];
        for (int i = 0; i < s.length; i++) s[i] = out.get(i).getDouble(0);
        return s;
    }
}
