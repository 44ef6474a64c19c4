package dev.treeline.training.train;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.Json;
import dev.treeline.training.bundle.ModelBundle;
import dev.treeline.training.bundle.ModelMeta;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import ml.dmlc.xgboost4j.scala.spark.XGBoostTrainingSummary;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import scala.Tuple2;

/**
 * Trains XGBoost on the train days with XGBoost4J-Spark (its own distributed training underneath),
 * stopping early on the validation days, and writes a {@link ModelBundle}.
 */
final class TrainStep implements Step {
    private final TrainParams params;

    TrainStep(TrainParams params) {
        this.params = params;
    }

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        WorkerPlan plan = checkResources(ctx);
        Dataset<Row> all = ctx.catalog().read(ctx.input(0));
        Dataset<Row> train = all.filter(functions.col("split").equalTo(DateWindow.TRAIN));
        Dataset<Row> validation = all.filter(functions.col("split").equalTo(DateWindow.VALIDATION));
        Path pipelineDir = ctx.catalog().directory(ctx.input(1));
        FeatureMeta features = FeatureMeta.read(pipelineDir);

        XGBoostClassifier clf = new XGBoostClassifier();
        clf.setFeaturesCol(FeaturePipelineFactory.FEATURES);
        clf.setLabelCol("label");
        // XGBoost4J-Spark setters return Params, so they do not chain from Java.
        clf.setObjective(params.objective());
        clf.setEvalMetric(params.evalMetric());
        clf.setNumRound(params.numRounds());
        clf.setMaxDepth(params.maxDepth());
        clf.setEta(params.eta());
        clf.setMinChildWeight(params.minChildWeight());
        clf.setSubsample(params.subsample());
        clf.setColsampleBytree(params.colsampleBytree());
        clf.setLambda(params.lambda());
        clf.setAlpha(params.alpha());
        clf.setMaxBins(params.maxBin());
        clf.setTreeMethod(params.treeMethod());
        clf.setNumWorkers(plan.numWorkers());
        clf.setNthread(plan.nthread());
        clf.setSeed(params.seed());
        clf.setDevice(params.device());
        double scalePosWeight = params.autoScalePosWeight() ? balance(train) : params.scalePosWeight();
        clf.setScalePosWeight(scalePosWeight);
        clf.setMissing(Float.NaN);
        clf.setRabitTrackerTimeout(params.trackerTimeoutSeconds());
        clf.setFeatureNames(features.featureNames().toArray(String[]::new));
        // Native categories: XGBoost splits on sets of category indices rather than thresholds.
        if (features.hasCategorical()) clf.setFeatureTypes(features.featureTypes().toArray(String[]::new));
        boolean earlyStopping = params.earlyStoppingRounds() > 0;
        if (earlyStopping) {
            if (validation.isEmpty()) {
                throw TreelineException.data("no validation rows between " + ctx.window().validationFrom() + " and "
                        + ctx.window().validationTo() + " for early stopping; set early_stopping_rounds: 0 or widen window.validation_days");
            }
            clf.setNumEarlyStoppingRounds(params.earlyStoppingRounds());
            clf.setEvalDataset(validation);
        }
        Map<String, String> logged = new LinkedHashMap<>(params.asParams());
        if (params.autoScalePosWeight()) logged.put("scale_pos_weight_value", Double.toString(scalePosWeight));
        logged.put("num_workers", Integer.toString(plan.numWorkers()));
        logged.put("nthread", Integer.toString(plan.nthread()));
        ctx.tracker().logParams(logged);
        ctx.progress().detail(String.format("XGBoost: up to %d rounds, %d worker(s) x %d thread(s)%s", params.numRounds(),
                plan.numWorkers(), plan.nthread(), earlyStopping ? ", early stopping after " + params.earlyStoppingRounds() : ""));

        Instant start = Instant.now();
        XGBoostClassificationModel model = clf.fit(train);
        double seconds = (Instant.now().toEpochMilli() - start.toEpochMilli()) / 1000.0;
        Booster booster = model.nativeBooster().booster();
        int rounds = booster.getNumBoostedRound();
        String best = booster.getAttr("best_iteration");
        int bestIteration = best != null ? Integer.parseInt(best) : rounds - 1;

        // The saved model holds the trees up to the best iteration only: what any XGBoost loading it predicts.
        Booster saved = BestIterationTrim.trim(booster, bestIteration);
        Map<String, Double> importance = importance(saved, features.featureNames());
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("spark", ctx.spark().version());
        versions.put("xgboost", xgboostVersion());
        ModelMeta meta = new ModelMeta(1, params.objective(), bestIteration, rounds, features.featureNames(), features.label(),
                new LinkedHashMap<>(params.asParams()), versions, Instant.now().toString());
        Dataset<Row> sample = scoringSample(ctx, pipelineDir, booster, bestIteration + 1, features.featureNames().size());
        ctx.catalog().publishDirectory(ctx.output(0), dir -> {
            saved.saveModel(dir.resolve(ModelBundle.BOOSTER_UBJ).toString());
            saved.saveModel(dir.resolve(ModelBundle.BOOSTER_JSON).toString());
            AtomicFiles.copyRecursively(pipelineDir, dir.resolve(ModelBundle.FEATURE_PIPELINE));
            // The feature step's sample carries vectors; the bundle keeps the rows and the scores computed here instead.
            AtomicFiles.deleteRecursively(dir.resolve(ModelBundle.FEATURE_PIPELINE).resolve(FeatureMeta.SAMPLE_DIR));
            if (sample != null) sample.coalesce(1).write().parquet(dir.resolve(ModelBundle.SCORING_SAMPLE).toString());
            Json.writeAtomically(dir.resolve(ModelBundle.META), meta);
            Json.writeAtomically(dir.resolve(ModelBundle.IMPORTANCE), importance);
        });
        logHistory(ctx, model);
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (!params.baselines().isEmpty()) {
            ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": baselines");
            metrics.putAll(Baselines.run(params.baselines(), all, FeaturePipelineFactory.FEATURES, params, ctx.progress()));
        }
        metrics.put("train_seconds", seconds);
        metrics.put("boosted_rounds", (double) rounds);
        metrics.put("best_iteration", (double) bestIteration);
        ctx.tracker().logMetrics(metrics);
        return StepResult.of(String.format("%d rounds in %.1f s, best iteration %d", rounds, seconds, bestIteration), metrics);
    }

    /**
     * Scores the features step's sample of holdout rows with the booster still in memory, on the vectors
     * built in this run: the expected scores that the saved pipeline and booster must reproduce.
     */
    private static Dataset<Row> scoringSample(StepContext ctx, Path pipelineDir, Booster booster, int iterationEnd, int nFeatures)
            throws ml.dmlc.xgboost4j.java.XGBoostError {
        Path dir = pipelineDir.resolve(FeatureMeta.SAMPLE_DIR);
        if (!java.nio.file.Files.isDirectory(dir)) return null;
        Dataset<Row> sample = ctx.spark().read().parquet(dir.toString());
        java.util.List<Row> rows = sample.collectAsList();
        if (rows.isEmpty()) return null;
        int vec = sample.schema().fieldIndex(FeaturePipelineFactory.FEATURES);
        float[] data = new float[rows.size() * nFeatures];
        for (int i = 0; i < rows.size(); i++) {
            org.apache.spark.ml.linalg.Vector v = (org.apache.spark.ml.linalg.Vector) rows.get(i).get(vec);
            for (int j = 0; j < nFeatures; j++) data[i * nFeatures + j] = (float) v.apply(j);
        }
        float[][] scores = booster.inplace_predict(data, rows.size(), nFeatures, Float.NaN, new int[] {0, iterationEnd},
                Booster.PredictionType.kValue, null);
        java.util.List<Row> out = new java.util.ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Object[] values = new Object[rows.get(i).size()];
            for (int j = 0; j < values.length; j++) values[j] = j == vec ? (double) scores[i][0] : rows.get(i).get(j);
            out.add(org.apache.spark.sql.RowFactory.create(values));
        }
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType();
        for (org.apache.spark.sql.types.StructField f : sample.schema().fields()) {
            schema = f.name().equals(FeaturePipelineFactory.FEATURES) ? schema.add(ModelBundle.EXPECTED_SCORE, org.apache.spark.sql.types.DataTypes.DoubleType, false)
                    : schema.add(f);
        }
        return ctx.spark().createDataFrame(out, schema);
    }

    /**
     * Total gain per feature, read from the JSON dump: the text dump XGBoost4J's getScore uses rejects
     * models with categorical splits.
     */
    static Map<String, Double> importance(Booster booster, java.util.List<String> names) throws ml.dmlc.xgboost4j.java.XGBoostError {
        Map<String, Double> out = new TreeMap<>();
        for (String tree : booster.getModelDump(new String[0] , true, "json")) {
            java.util.ArrayDeque<com.fasterxml.jackson.databind.JsonNode> todo = new java.util.ArrayDeque<>();
            todo.push(Json.parse(tree));
            while (!todo.isEmpty()) {
                com.fasterxml.jackson.databind.JsonNode n = todo.pop();
                if (n.has("split")) {
                    String f = n.get("split").asText();
                    int i = f.startsWith("f") && f.substring(1).matches("\\d+") ? Integer.parseInt(f.substring(1)) : names.indexOf(f);
                    String name = i >= 0 && i < names.size() ? names.get(i) : f;
                    out.merge(name, n.path("gain").asDouble(0), Double::sum);
                }
                if (n.has("children")) n.get("children").forEach(todo::push);
            }
        }
        return out;
    }

    private void logHistory(StepContext ctx, XGBoostClassificationModel model) {
        if (model.summary().isEmpty()) return;
        XGBoostTrainingSummary summary = model.summary().get();
        ctx.tracker().logMetricHistory("train_" + params.evalMetric(), toDoubles(summary.trainObjectiveHistory()));
        scala.collection.Iterator<Tuple2<String, float[]>> it = summary.validationObjectiveHistory().iterator();
        while (it.hasNext()) {
            Tuple2<String, float[]> h = it.next();
            ctx.tracker().logMetricHistory("validation_" + params.evalMetric(), toDoubles(h._2()));
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }

    /** XGBoost's training is a barrier stage: all workers need a slot at once, or it waits. Fail fast instead. */
    /** Negatives per positive among the training rows: XGBoost's usual weight for a rare positive class. */
    static double balance(Dataset<Row> train) {
        Row r = train.agg(functions.sum(functions.col("label")), functions.count(functions.lit(1))).first();
        double positives = r.isNullAt(0) ? 0 : ((Number) r.get(0)).doubleValue();
        long rows = r.getLong(1);
        if (positives == 0 || positives == rows) {
            throw TreelineException.data("scale_pos_weight: auto needs both classes in the training rows; found " + (long) positives
                    + " positive of " + rows);
        }
        return (rows - positives) / positives;
    }

    private WorkerPlan checkResources(StepContext ctx) {
        var conf = ctx.spark().sparkContext().getConf();
        if (params.device().equals("cuda")) {
            Map<String, String> all = new LinkedHashMap<>();
            for (scala.Tuple2<String, String> kv : conf.getAll()) all.put(kv._1(), kv._2());
            List<String> problems = GpuSupport.system().problems(ctx.spark().sparkContext().master(), all);
            if (!problems.isEmpty()) {
                throw new TreelineException(dev.treeline.pipelines.ExitCode.SPEC, "step '" + ctx.step().name() + "': " + problems.get(0));
            }
        }
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        if (params.nthread() > taskCpus) {
            throw new TreelineException(dev.treeline.pipelines.ExitCode.SPEC, "step '" + ctx.step().name() + "': nthread "
                    + params.nthread() + " is more than spark.task.cpus " + taskCpus + "; set spark.conf.spark.task.cpus: \""
                    + params.nthread() + "\" in the spec or lower nthread");
        }
        String master = ctx.spark().sparkContext().master();
        int executorCores = conf.getInt("spark.executor.cores", 0);
        int executors = conf.getInt("spark.executor.instances", 0);
        WorkerPlan plan = WorkerPlan.of(params.numWorkers(), params.nthread(), taskCpus, master.startsWith("local"),
                ctx.spark().sparkContext().defaultParallelism(), executors, executorCores);
        if (master.startsWith("local")) {
            int cores = ctx.spark().sparkContext().defaultParallelism();
            int slots = cores / taskCpus;
            if (plan.numWorkers() > slots) {
                throw new TreelineException(dev.treeline.pipelines.ExitCode.SPEC, "step '" + ctx.step().name() + "': num_workers "
                        + plan.numWorkers() + " needs " + plan.numWorkers() + " task slots at once, but " + master
                        + " has " + slots + " (cores " + cores + " / spark.task.cpus " + taskCpus + "); lower num_workers");
            }
        }
        return plan;
    }

    static String xgboostVersion() {
        Package p = XGBoostClassifier.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v != null ? v : dev.treeline.pipelines.Versions.xgboost();
    }
}
