package dev.treeline.training.train;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.pipelines.format.Task;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.Communicator;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.RabitTracker;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * One distributed XGBoost fit: XGBoost's own collective (its tracker on the driver, one worker per
 * task of a Spark barrier stage) over per-worker matrices that Treeline builds from the feature rows'
 * internal representation ({@link RowBlocks}), rather than XGBoost4J-Spark's row-by-row conversion and
 * full-row repartition. Early stopping on {@code validation} when given.
 */
final class XGBoostFit {
    static final String WEIGHT = FeaturePipelineFactory.WEIGHT;
    static final String BASE_MARGIN = "base_margin";

    /** A fitted booster with all its rounds, the best iteration, and the metric per round. */
    record Result(Booster booster, int rounds, int bestIteration, double[] trainHistory, double[] validationHistory, double seconds) {
        /** The validation metric at the best iteration (NaN without validation). */
        double bestValidation() {
            return validationHistory.length > bestIteration ? validationHistory[bestIteration] : Double.NaN;
        }
    }

    private XGBoostFit() {}

    /** Told how far a fit is: rounds done and the best validation metric so far (NaN without validation). */
    interface Rounds {
        void done(int rounds, double bestValidation);
    }

    /**
     * The metric arrays of running fits, by fit: XGBoost fills them round by round, so the driver can read
     * how far a fit is. Only where the worker runs in the driver's JVM (a local master); on a cluster the
     * driver learns the rounds when the fit ends.
     */
    private static final ConcurrentHashMap<String, float[][]> LIVE = new ConcurrentHashMap<>();

    /** Metrics where higher is better; XGBoost maximises these when stopping early. */
    static boolean maximize(String evalMetric) {
        return List.of("auc", "aucpr").contains(evalMetric);
    }

    /** XGBoost's parameters for this fit, by XGBoost's own names. */
    static Map<String, Object> boosterParams(TrainParams p, WorkerPlan plan, double scalePosWeight, long seed) {
        Map<String, Object> m = new HashMap<>();
        m.put("objective", p.objective());
        m.put("eval_metric", p.evalMetric());
        m.put("maximize_evaluation_metrics", Boolean.toString(maximize(p.evalMetric())));
        if (p.task() == Task.MULTICLASS) m.put("num_class", p.numClass());
        if (p.task() == Task.BINARY) m.put("scale_pos_weight", scalePosWeight);
        m.put("eta", p.eta());
        m.put("max_depth", p.maxDepth());
        m.put("gamma", p.gamma());
        m.put("min_child_weight", p.minChildWeight());
        m.put("subsample", p.subsample());
        m.put("colsample_bytree", p.colsampleBytree());
        m.put("lambda", p.lambda());
        m.put("alpha", p.alpha());
        m.put("max_bin", p.maxBin());
        m.put("max_cat_to_onehot", p.maxCatToOnehot());
        m.put("max_cat_threshold", p.maxCatThreshold());
        m.put("tree_method", p.treeMethod());
        m.put("seed", seed);
        m.put("nthread", plan.nthread());
        m.put("device", p.device());
        // Quiet: no native warnings, no per-round evaluation lines (Treeline reports rounds itself); see docs/decisions.md.
        m.put("verbosity", 0);
        m.put("verbose_eval", 0);
        return m;
    }

    /**
     * Trains {@code rounds} rounds at most on {@code train}, stopping early on {@code validation} (null: no
     * early stopping); rows carry a {@link #WEIGHT} column when {@code weighted}, and a {@link #BASE_MARGIN}
     * column when {@code withBaseMargin} (training continues from those margins).
     */
    static Result fit(Dataset<Row> train, Dataset<Row> validation, TrainParams p, WorkerPlan plan, FeatureMeta features, double scalePosWeight,
                      int rounds, boolean weighted, boolean withBaseMargin, long seed) throws XGBoostError, IOException {
        return fit(train, validation, p, plan, features, scalePosWeight, rounds, weighted, withBaseMargin, seed, null);
    }

    /** As above; {@code progress}, when given, is told the rounds done about twice a second. */
    static Result fit(Dataset<Row> train, Dataset<Row> validation, TrainParams p, WorkerPlan plan, FeatureMeta features, double scalePosWeight,
                      int rounds, boolean weighted, boolean withBaseMargin, long seed, Rounds progress) throws XGBoostError, IOException {
        int n = features.featureNames().size();
        int workers = plan.numWorkers();
        String label = FeaturePipelineFactory.LABEL;
        String vec = FeaturePipelineFactory.FEATURES;
        String weight = weighted ? WEIGHT : null;
        String margin = withBaseMargin ? BASE_MARGIN : null;
        JavaRDD<RowBlocks.Block> trainBlocks = RowBlocks.of(train, n, label, vec, weight, margin, workers);
        JavaRDD<WorkerInput> inputs;
        if (validation != null) {
            JavaRDD<RowBlocks.Block> validationBlocks = RowBlocks.of(validation, n, label, vec, weight, margin, workers);
            inputs = trainBlocks.zipPartitions(validationBlocks, (a, b) -> List.of(new WorkerInput(list(a), list(b))).iterator());
        } else {
            inputs = trainBlocks.mapPartitions(a -> List.of(new WorkerInput(list(a), new ArrayList<>())).iterator());
        }
        Map<String, Object> params = boosterParams(p, plan, scalePosWeight, seed);
        String host = train.sparkSession().sparkContext().getConf().get("spark.driver.host", "");
        long start = System.nanoTime();
        RabitTracker tracker = new RabitTracker(workers, host, 0, p.trackerTimeoutSeconds());
        if (!tracker.start()) throw new IllegalStateException("XGBoost's tracker did not start on " + (host.isEmpty() ? "this host" : host));
        List<WorkerResult> results;
        String fitId = UUID.randomUUID().toString();
        Thread watcher = progress == null ? null : watch(fitId, progress, p.evalMetric());
        try {
            Map<String, Object> workerArgs = new HashMap<>(tracker.getWorkerArgs());
            WorkerTask task = new WorkerTask(workerArgs, params, rounds, validation != null ? p.earlyStoppingRounds() : 0, n,
                    features.featureNames().toArray(String[]::new), features.hasCategorical() ? features.featureTypes().toArray(String[]::new) : null,
                    fitId);
            results = inputs.rdd().barrier().mapPartitions(task, false, ClassTag$.MODULE$.apply(WorkerResult.class))
                    .toJavaRDD().collect();
        } finally {
            tracker.stop();
            if (watcher != null) {
                watcher.interrupt();
                try {
                    watcher.join(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            LIVE.remove(fitId);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        WorkerResult r = results.get(0);
        Booster booster = XGBoost.loadModel(r.model);
        int boosted = booster.getNumBoostedRound();
        double[] trainHistory = toDoubles(r.metrics[0], boosted);
        double[] validationHistory = r.metrics.length > 1 ? toDoubles(r.metrics[1], boosted) : new double[0];
        int best = validationHistory.length == 0 ? boosted - 1 : CheckpointedTraining.bestIndex(validationHistory, maximize(p.evalMetric()));
        if (progress != null) progress.done(boosted, validationHistory.length == 0 ? Double.NaN : validationHistory[best]);
        return new Result(booster, boosted, best, trainHistory, validationHistory, seconds);
    }

    /** A daemon that reads the fit's metric arrays (where they are in this JVM) and reports the rounds done. */
    private static Thread watch(String fitId, Rounds progress, String evalMetric) {
        boolean maximize = maximize(evalMetric);
        Thread t = new Thread(() -> {
            int reported = -1;
            while (!Thread.currentThread().isInterrupted()) {
                float[][] m = LIVE.get(fitId);
                if (m != null) {
                    float[] last = m[m.length - 1];
                    int done = 0;
                    double best = Double.NaN;
                    while (done < last.length && !Float.isNaN(last[done])) {
                        double v = last[done];
                        if (Double.isNaN(best) || (maximize ? v > best : v < best)) best = v;
                        done++;
                    }
                    if (done != reported) {
                        progress.done(done, m.length > 1 ? best : Double.NaN);
                        reported = done;
                    }
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "xgboost-rounds");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static <T> List<T> list(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static double[] toDoubles(float[] values, int rounds) {
        double[] out = new double[Math.min(rounds, values.length)];
        for (int i = 0; i < out.length; i++) out[i] = values[i];
        return out;
    }

    /** One worker's blocks: its share of the train rows and of the validation rows. */
    record WorkerInput(List<RowBlocks.Block> train, List<RowBlocks.Block> validation) implements Serializable {}

    /** What rank 0 sends back: the model and the metric per watch (train, then validation) per round. */
    record WorkerResult(byte[] model, float[][] metrics) implements Serializable {}

    /** The barrier task: join the collective, build the matrices, train, and (rank 0) return the model. */
    private static final class WorkerTask extends AbstractFunction1<scala.collection.Iterator<WorkerInput>, scala.collection.Iterator<WorkerResult>>
            implements Serializable {
        private final Map<String, Object> workerArgs;
        private final Map<String, Object> params;
        private final int rounds;
        private final int earlyStopping;
        private final int n;
        private final String[] names;
        private final String[] types;
        private final String fitId;

        WorkerTask(Map<String, Object> workerArgs, Map<String, Object> params, int rounds, int earlyStopping, int n, String[] names, String[] types,
                   String fitId) {
            this.workerArgs = workerArgs;
            this.params = params;
            this.rounds = rounds;
            this.earlyStopping = earlyStopping;
            this.n = n;
            this.names = names;
            this.types = types;
            this.fitId = fitId;
        }

        @Override
        public scala.collection.Iterator<WorkerResult> apply(scala.collection.Iterator<WorkerInput> it) {
            WorkerInput input = it.next();
            Map<String, Object> args = new HashMap<>(workerArgs);
            args.put("DMLC_TASK_ID", Integer.toString(TaskContext.getPartitionId()));
            Map<String, Object> p = new HashMap<>(params);
            // One GPU per worker: the one Spark gave this task.
            if ("cuda".equals(p.get("device")) && TaskContext.get().resources().contains("gpu")) {
                p.put("device", "cuda:" + TaskContext.get().resources().apply("gpu").addresses()[0]);
            }
            DMatrix train = null;
            DMatrix validation = null;
            Booster booster = null;
            try {
                train = matrix(RowBlocks.Matrix.of(input.train(), n));
                Map<String, DMatrix> watches = new LinkedHashMap<>();
                watches.put("train", train);
                if (earlyStopping > 0) {
                    validation = matrix(RowBlocks.Matrix.of(input.validation(), n));
                    watches.put("validation", validation); // last: XGBoost stops early on the last watch
                }
                float[][] metrics = new float[watches.size()][rounds];
                for (float[] row : metrics) Arrays.fill(row, Float.NaN);
                if (TaskContext.getPartitionId() == 0) LIVE.put(fitId, metrics);
                Communicator.init(args);
                try {
                    booster = XGBoost.train(train, p, rounds, watches, metrics, null, null, earlyStopping);
                    List<WorkerResult> out = Communicator.getRank() == 0 ? List.of(new WorkerResult(booster.toByteArray("ubj"), metrics)) : List.of();
                    return JavaConverters.asScalaIteratorConverter(out.iterator()).asScala();
                } finally {
                    Communicator.shutdown();
                }
            } catch (XGBoostError e) {
                throw new IllegalStateException("XGBoost worker " + TaskContext.getPartitionId() + " failed: " + e.getMessage(), e);
            } finally {
                if (booster != null) booster.dispose();
                if (train != null) train.dispose();
                if (validation != null) validation.dispose();
            }
        }

        private DMatrix matrix(RowBlocks.Matrix m) throws XGBoostError {
            DMatrix d = new DMatrix(m.data(), m.rows(), n, Float.NaN);
            d.setLabel(m.labels());
            if (m.weights() != null) d.setWeight(m.weights());
            if (m.margins() != null) d.setBaseMargin(m.margins());
            d.setFeatureNames(names);
            // Native categories: XGBoost splits on sets of category indices rather than thresholds.
            if (types != null) d.setFeatureTypes(types);
            return d;
        }
    }
}
