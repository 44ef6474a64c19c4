package dev.treeline.cli.bench;

import dev.treeline.pipelines.env.RunDir;
import dev.treeline.pipelines.format.BundleFiles;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.training.train.Baselines;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Training benchmark on the flights features: native single-process XGBoost (the limit), Treeline's
 * training step, stock XGBoost4J-Spark and Spark MLlib GBT, with the same feature rows, parameters and
 * threads, in one Spark session. The feature snapshot is built once by the shipped example (June as the
 * holdout); training rows are replicated or sampled to {@code rows}.
 */
public final class TrainBench {
    static final LocalDate DATE = LocalDate.of(2001, 6, 30);

    private final SparkSession spark;
    private final Path work;
    private final Path cache;
    private final Progress progress;

    public TrainBench(SparkSession spark, Path work, Path cache, Progress progress) {
        this.spark = spark;
        this.work = work;
        this.cache = cache;
        this.progress = progress;
    }

    public BenchReport run(Path flights, Path pipelineSpec, long rows, int rounds, int gbtTrees, int depth) throws Exception {
        Path features = snapshot(flights, pipelineSpec);
        Path snapshotDir = features.resolve("training_features");
        Path pipelineDir = features.resolve("feature_pipeline");
        Dataset<Row> all = spark.read().parquet(snapshotDir.toString());
        Dataset<Row> train = replicate(all.filter("split = 'train'").select("label", "features"), rows);
        Dataset<Row> test = all.filter("split = 'holdout'").select("label", "features").cache();
        testSet = TestSet.of(test.collectAsList());
        long testRows = testSet.labels.length;
        int threads = spark.sparkContext().defaultParallelism();
        Map<String, Object> xgb = new LinkedHashMap<>();
        xgb.put("objective", "binary:logistic");
        xgb.put("eta", 0.1);
        xgb.put("max_depth", depth);
        xgb.put("tree_method", "hist");
        xgb.put("max_bin", 256);
        xgb.put("seed", 42);

        List<BenchResult> results = new ArrayList<>();
        // Native and Treeline alternate, twice each, and keep their faster run: on a shared machine one run
        // can be slowed by neighbours, and the ratio between these two is the target.
        Measured nativeRun = null;
        Measured treeline = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            progress.info(String.format("native XGBoost (%d of 2): %,d rows, %d rounds, %d threads ...", attempt, rows, rounds, threads));
            nativeRun = faster(nativeRun, nativeXgboost(train, xgb, rounds, threads));
            progress.info("Treeline's xgboost_train step (" + attempt + " of 2) ...");
            treeline = faster(treeline, treelineStep(train, pipelineDir, rounds, depth));
        }
        results.add(result("native XGBoost, one process (baseline)", nativeRun, nativeRun, rounds, "DMatrix build + train; faster of 2 runs"));
        results.add(result("Treeline xgboost_train step", treeline, nativeRun, rounds,
                "the whole step (read, train, write the bundle), workers and threads unset; faster of 2 runs"));

        progress.info("stock XGBoost4J-Spark ...");
        Measured stock = stockSpark(train, xgb, rounds, threads);
        results.add(result("stock XGBoost4J-Spark", stock, nativeRun, rounds, threads + " workers x 1 thread"));

        progress.info("Spark MLlib GBT, " + gbtTrees + " trees ...");
        Measured gbt = mllibGbt(train, test, gbtTrees, depth);
        results.add(result("Spark MLlib GBT (" + gbtTrees + " trees)", gbt, nativeRun, gbtTrees,
                String.format("per tree %.1fx Treeline's per round, %.1fx native's", (gbt.seconds / gbtTrees) / (treeline.seconds / rounds),
                        (gbt.seconds / gbtTrees) / (nativeRun.seconds / rounds))));

        Map<String, Object> env = new LinkedHashMap<>();
        env.put("train_rows", rows);
        env.put("test_rows", testRows);
        env.put("features", nFeatures(all));
        env.put("rounds", rounds);
        env.put("max_depth", depth);
        env.put("threads", threads);
        env.put("spark_master", spark.sparkContext().master());
        env.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1 << 20));
        return new BenchReport("train", "Treeline at most 1.15x native at 2.5M rows; Treeline at least 50x faster per tree than MLlib GBT at equal or better AUC; "
                + "driver heap flat from 3M to 12M rows",
                env, results);
    }

    record Measured(double seconds, double auc, long peakHeapMb) {}

    private static Measured faster(Measured a, Measured b) {
        return a == null || b.seconds < a.seconds ? b : a;
    }

    private static BenchResult result(String name, Measured m, Measured base, int rounds, String note) {
        return new BenchResult(name, m.seconds, m.seconds / base.seconds, String.format("%.3f s/round, test AUC %.4f, peak driver heap %,d MB; %s",
                m.seconds / rounds, m.auc, m.peakHeapMb, note));
    }

    /**
     * Builds the example's feature snapshot for June once (ingest to features), kept in the cache under a
     * name that identifies the data and the spec it was built from, so other data never reuses it.
     */
    private Path snapshot(Path flights, Path pipelineSpec) throws IOException {
        String key = Hashing.sha256(Files.readString(pipelineSpec) + "\n" + flights.toAbsolutePath() + "\n"
                + describe(flights)).substring(0, 16);
        Path dir = cache.resolve("bench").resolve("train-features-" + key);
        if (Files.exists(dir.resolve("_COMPLETE"))) return dir;
        progress.info("building the flights feature snapshot for June (once, into " + dir + ") ...");
        Path ws = work.resolve("features-ws");
        AtomicFiles.deleteRecursively(ws);
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(pipelineSpec, Map.of("TREELINE_DATA", flights.toString(), "HOLDOUT_DAYS", "30"));
        PipelineRunner runner = UntrackedRunner.create(spark, ws, cache, progress);
        RunOutcome outcome = runner.run(pipeline, DATE, new RunOptions(false, null, "features"));
        Path runData = new RunDir(runner.store().runDir(pipeline.spec().name(), DATE, outcome.state().runId)).data();
        AtomicFiles.deleteRecursively(dir);
        Files.createDirectories(dir);
        // Read through the catalog (the snapshot is published by pointer), kept as plain Parquet for every contender.
        runner.catalog(pipeline.spec(), outcome.state()).read("training_features").write().parquet(dir.resolve("training_features").toString());
        AtomicFiles.copyRecursively(runData.resolve("feature_pipeline"), dir.resolve("feature_pipeline"));
        Files.writeString(dir.resolve("_COMPLETE"), "");
        AtomicFiles.deleteRecursively(ws);
        return dir;
    }

    /** Every file under {@code data} with its size and modification time. */
    private static String describe(Path data) throws IOException {
        try (var files = Files.walk(data)) {
            StringBuilder b = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                b.append(f).append(' ').append(Files.size(f)).append(' ').append(Files.getLastModifiedTime(f).toMillis()).append('\n');
            }
            return b.toString();
        }
    }

    /** The training rows repeated (or sampled) to exactly {@code rows}, written once so every contender reads the same files. */
    private Dataset<Row> replicate(Dataset<Row> train, long rows) throws IOException {
        Path out = work.resolve("train-" + rows);
        if (!Files.exists(out.resolve("_SUCCESS"))) {
            long have = train.count();
            Dataset<Row> grown = train;
            for (long n = have; n < rows; n += have) grown = grown.union(train);
            grown.limit((int) Math.min(rows, Integer.MAX_VALUE)).repartition(spark.sparkContext().defaultParallelism())
                    .write().mode(SaveMode.Overwrite).parquet(out.toString());
        }
        return spark.read().parquet(out.toString());
    }

    private Measured nativeXgboost(Dataset<Row> train, Map<String, Object> params, int rounds, int threads) throws Exception {
        resetPeaks();
        // Streamed into one float matrix (no list of rows): what a single-process user would hold in memory.
        int n = (int) train.count();
        int f = testSet.features();
        DenseRows rows = DenseRows.stream(train, n, f);
        float[] data = rows.data();
        float[] labels = rows.labels();
        long t0 = System.nanoTime();
        DMatrix m = new DMatrix(data, n, f, Float.NaN);
        m.setLabel(labels);
        data = null;
        Map<String, Object> p = new HashMap<>(params);
        p.put("nthread", threads);
        Booster booster = XGBoost.train(m, p, rounds, new HashMap<>(), null, null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long heap = peakHeapMb();
        m.dispose();
        try {
            return new Measured(seconds, testSet.auc(booster), heap);
        } finally {
            booster.dispose();
        }
    }

    private Measured treelineStep(Dataset<Row> train, Path pipelineDir, int rounds, int depth) throws Exception {
        Path ws = work.resolve("train-ws");
        AtomicFiles.deleteRecursively(ws);
        Path snapshot = work.resolve("train-snapshot");
        if (!Files.exists(snapshot.resolve("_SUCCESS"))) {
            train.withColumn("split", functions.lit("train")).write().mode(SaveMode.Overwrite).parquet(snapshot.toString());
        }
        Files.createDirectories(ws);
        Path spec = ws.resolve("pipeline.yaml");
        Files.writeString(spec, """
            pipeline: bench-train
            datasets:
              snapshot: {path: %s}
              feature_pipeline: {path: %s, format: directory}
            steps:
              - name: train
                type: xgboost_train
                inputs: [snapshot, feature_pipeline]
                outputs: [model]
                params: {num_rounds: %d, early_stopping_rounds: 0, max_depth: %d, eta: 0.1, tree_method: hist, max_bin: 256, seed: 42}
            """.formatted(snapshot, pipelineDir, rounds, depth), StandardCharsets.UTF_8);
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(spec, Map.of());
        PipelineRunner runner = UntrackedRunner.create(spark, ws, cache, progress);
        resetPeaks();
        long t0 = System.nanoTime();
        RunOutcome outcome = runner.run(pipeline, DATE, RunOptions.DEFAULT);
        // The whole step: reading the snapshot, training, the scoring sample, writing the bundle.
        Double stepSeconds = outcome.state().step("train").seconds;
        double seconds = stepSeconds != null ? stepSeconds : (System.nanoTime() - t0) / 1e9;
        long heap = peakHeapMb();
        Path model = new RunDir(runner.store().runDir("bench-train", DATE, outcome.state().runId)).dataset("model", false);
        Booster booster = XGBoost.loadModel(model.resolve(BundleFiles.BOOSTER_UBJ).toString());
        try {
            return new Measured(seconds, testSet.auc(booster), heap);
        } finally {
            booster.dispose();
        }
    }

    private TestSet testSet;

    /** The holdout rows as a dense matrix, to score every booster the same way (exact AUC by sorting). */
    record TestSet(float[] data, double[] labels, int features) {
        static TestSet of(List<Row> rows) {
            int f = ((Vector) rows.get(0).get(1)).size();
            float[] data = new float[rows.size() * f];
            double[] labels = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                Vector v = (Vector) rows.get(i).get(1);
                labels[i] = rows.get(i).getDouble(0);
                for (int j = 0; j < f; j++) data[i * f + j] = (float) v.apply(j);
            }
            return new TestSet(data, labels, f);
        }

        double auc(Booster booster) throws XGBoostError {
            float[][] pred = booster.inplace_predict(data, labels.length, features, Float.NaN);
            Integer[] order = new Integer[labels.length];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Float.compare(pred[a][0], pred[b][0]));
            // Mann-Whitney: average ranks over ties.
            double rankSumPos = 0;
            long pos = 0;
            int i = 0;
            while (i < order.length) {
                int j = i;
                while (j + 1 < order.length && pred[order[j + 1]][0] == pred[order[i]][0]) j++;
                double rank = (i + j) / 2.0 + 1;
                for (int k = i; k <= j; k++) if (labels[order[k]] == 1.0) {
                    rankSumPos += rank;
                    pos++;
                }
                i = j + 1;
            }
            long neg = labels.length - pos;
            return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
        }
    }

    private Measured stockSpark(Dataset<Row> train, Map<String, Object> params, int rounds, int threads) throws Exception {
        XGBoostClassifier clf = new XGBoostClassifier();
        clf.setFeaturesCol("features");
        clf.setLabelCol("label");
        clf.setObjective("binary:logistic");
        clf.setEta(0.1);
        clf.setMaxDepth((Integer) params.get("max_depth"));
        clf.setTreeMethod("hist");
        clf.setMaxBins(256);
        clf.setNumRound(rounds);
        clf.setNumWorkers(threads);
        clf.setNthread(1);
        clf.setSeed(42);
        clf.setMissing(Float.NaN);
        resetPeaks();
        long t0 = System.nanoTime();
        XGBoostClassificationModel model = clf.fit(train);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long heap = peakHeapMb();
        return new Measured(seconds, testSet.auc(model.nativeBooster().booster()), heap);
    }

    private Measured mllibGbt(Dataset<Row> train, Dataset<Row> test, int trees, int depth) {
        Dataset<Row> tr = Baselines.missingAsZero(train, "features", "features");
        Dataset<Row> te = Baselines.missingAsZero(test, "features", "features");
        resetPeaks();
        long t0 = System.nanoTime();
        var model = new GBTClassifier().setMaxIter(trees).setMaxDepth(depth).setStepSize(0.1).setMaxBins(256).setSeed(42).fit(tr);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long heap = peakHeapMb();
        double auc = new BinaryClassificationEvaluator().setLabelCol("label").setRawPredictionCol("rawPrediction").setNumBins(0)
                .evaluate(model.transform(te));
        return new Measured(seconds, auc, heap);
    }

    private static int nFeatures(Dataset<Row> all) {
        return ((Vector) all.select("features").first().get(0)).size();
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
    }

    private static long peakHeapMb() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        return sum >> 20;
    }
}
