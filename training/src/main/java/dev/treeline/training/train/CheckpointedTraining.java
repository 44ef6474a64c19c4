package dev.treeline.training.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.util.Json;
import dev.treeline.training.bundle.BundleScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.function.IntConsumer;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Long fits in segments of {@code checkpoint_rounds}: after each segment the model so far is saved
 * (model file first, then the state that points to it), and the next segment continues from the
 * model's margins (XGBoost4J-Spark 3.x has no checkpoint parameters of its own). A failed segment is
 * retried from the last checkpoint up to {@code checkpoint_retries} times, and a resumed pipeline run
 * starts from the checkpoint its failed attempt left, when parameters and data are the same.
 */
final class CheckpointedTraining {
    static final String STATE = "checkpoint.json";

    /** Test hook: called with the rounds done before each segment starts; a test throws from it to fail a segment. */
    static volatile IntConsumer beforeSegment = rounds -> {};

    record Outcome(XGBoostFit.Result result, int resumedFromRound, int retries) {}

    record State(@JsonProperty("fingerprint") String fingerprint, @JsonProperty("rounds") int rounds,
                 @JsonProperty("model") String model, @JsonProperty("stopped") boolean stopped,
                 @JsonProperty("train_history") double[] trainHistory, @JsonProperty("validation_history") double[] validationHistory,
                 @JsonProperty("seconds") double seconds) {}

    private CheckpointedTraining() {}

    static Outcome train(SparkSession spark, Dataset<Row> train, Dataset<Row> validation, TrainParams p, WorkerPlan plan, FeatureMeta features,
                         double scalePosWeight, boolean weighted, Path dir, String fingerprint, Progress progress,
                         XGBoostFit.Rounds rounds) throws Exception {
        State st = load(dir, fingerprint);
        Booster merged = st == null ? null : XGBoost.loadModel(dir.resolve(st.model()).toString());
        int done = st == null ? 0 : st.rounds();
        double[] trainHistory = st == null ? new double[0] : st.trainHistory();
        double[] validationHistory = st == null ? new double[0] : st.validationHistory();
        double seconds = st == null ? 0 : st.seconds();
        boolean stopped = st != null && st.stopped();
        int resumedFrom = done;
        if (done > 0) progress.detail("resuming from the checkpoint at round " + done);
        int retries = 0;
        int nFeatures = features.featureNames().size();
        while (done < p.numRounds() && !stopped) {
            int n = Math.min(p.checkpointRounds(), p.numRounds() - done);
            XGBoostFit.Result segment;
            try {
                beforeSegment.accept(done);
                Dataset<Row> tr = merged == null ? train : margins(spark, train, merged, nFeatures);
                Dataset<Row> va = validation == null || merged == null ? validation : margins(spark, validation, merged, nFeatures);
                int before = done;
                segment = XGBoostFit.fit(tr, va, p, plan, features, scalePosWeight, n, weighted, merged != null, p.seed() + done,
                        rounds == null ? null : (d, best) -> rounds.done(before + d, best));
            } catch (TreelineException e) {
                throw e;
            } catch (Exception e) {
                if (retries >= p.checkpointRetries()) {
                    throw new TreelineException(ExitCode.FAILURE, String.format(
                            "XGBoost failed on rounds %d-%d after %d retries from the checkpoint at round %d: %s; rerun the date to resume there",
                            done + 1, done + n, retries, done, XGBoostErrors.summary(e)), e);
                }
                retries++;
                progress.detail(String.format("rounds %d-%d failed (%s); retry %d of %d from the checkpoint at round %d", done + 1, done + n,
                        XGBoostErrors.summary(e), retries, p.checkpointRetries(), done));
                continue;
            }
            merged = merged == null ? segment.booster() : BoosterJson.append(merged, segment.booster());
            trainHistory = concat(trainHistory, segment.trainHistory());
            validationHistory = concat(validationHistory, segment.validationHistory());
            seconds += segment.seconds();
            done += segment.rounds();
            if (validation != null) {
                int best = bestIndex(validationHistory, XGBoostFit.maximize(p.evalMetric()));
                stopped = segment.rounds() < n || (p.earlyStoppingRounds() > 0 && done - 1 - best >= p.earlyStoppingRounds());
            }
            save(dir, new State(fingerprint, done, "model-" + done + ".ubj", stopped, trainHistory, validationHistory, seconds), merged);
            progress.status("checkpoint", String.format("checkpoint at round %d of %d", done, p.numRounds()), (double) done / p.numRounds());
        }
        progress.endStatus("checkpoint");
        int best = validation == null || validationHistory.length == 0 ? done - 1 : bestIndex(validationHistory, XGBoostFit.maximize(p.evalMetric()));
        return new Outcome(new XGBoostFit.Result(merged, done, best, trainHistory, validationHistory, seconds), resumedFrom, retries);
    }

    /** Rows with the model's raw margin as the base margin of the next segment. */
    private static Dataset<Row> margins(SparkSession spark, Dataset<Row> rows, Booster model, int nFeatures) throws Exception {
        return BundleScorer.predict(spark, rows, FeaturePipelineFactory.FEATURES, model.toByteArray("ubj"), nFeatures, model.getNumBoostedRound(),
                BundleScorer.Output.MARGIN, false).withColumnRenamed(BundleScorer.SCORE, XGBoostFit.BASE_MARGIN);
    }

    static int bestIndex(double[] history, boolean maximize) {
        int best = 0;
        for (int i = 1; i < history.length; i++) {
            if (maximize ? history[i] > history[best] : history[i] < history[best]) best = i;
        }
        return best;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static State load(Path dir, String fingerprint) throws IOException {
        Path f = dir.resolve(STATE);
        if (!Files.isRegularFile(f)) return null;
        State st = Json.read(f, State.class);
        // Other parameters or other data: the checkpoint belongs to another fit.
        if (!fingerprint.equals(st.fingerprint()) || !Files.isRegularFile(dir.resolve(st.model()))) return null;
        return st;
    }

    private static void save(Path dir, State st, Booster model) throws Exception {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(st.model() + ".tmp");
        model.saveModel(tmp.toString());
        Files.move(tmp, dir.resolve(st.model()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // The state points to the model: written last, so a crash leaves the previous checkpoint whole.
        Json.writeAtomically(dir.resolve(STATE), st);
    }
}
