package dev.treeline.cli.bench;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.features.build.RowSplit;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.env.RunDir;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.spec.SplitSpec;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.training.evaluate.BinaryMetrics;
import dev.treeline.training.evaluate.ScoreBins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Model quality against a known limit. For each dataset, three contenders on the same rows and the same split:
 * Treeline's spec with {@code tune:} and nothing set for the dataset ({@code treeline}); native XGBoost with its
 * default parameters, early-stopped on the same validation rows and fed the same feature vectors
 * ({@code native_default}); and, for generated tables, the Bayes-optimal model, i.e. the true probabilities
 * ({@code limit}). Datasets: the generated shapes of {@link QualityShapes}, the German credit table (stratified,
 * 5-fold cross-validation: the shipped example) and the flights example (June as the holdout, the shipped spec).
 */
public final class QualityBench {
    public static final List<String> DATASETS = List.of("smooth_additive", "interactions", "high_cardinality", "label_noise", "imbalanced",
            "german_credit", "flights");
    static final LocalDate DATE = LocalDate.of(2026, 1, 1);
    static final LocalDate FLIGHTS_DATE = LocalDate.of(2001, 6, 30);
    static final int NATIVE_ROUNDS = 2000;
    static final int NATIVE_EARLY_STOPPING = 50;

    /** Where the real datasets are; null skips one. */
    public record Sources(Path flights, Path flightsSpec, Path germanCreditDir, Path germanCreditSpec) {}

    private final SparkSession spark;
    private final Path work;
    private final Path cache;
    private final Progress progress;

    public QualityBench(SparkSession spark, Path work, Path cache, Progress progress) {
        this.spark = spark;
        this.work = work;
        this.cache = cache;
        this.progress = progress;
    }

    record Scored(double auc, double logloss, double seconds) {}

    public BenchReport run(List<String> datasets, int rows, int trials, double budgetMinutes, Sources sources) throws Exception {
        List<BenchResult> results = new ArrayList<>();
        int threads = spark.sparkContext().defaultParallelism();
        for (String d : datasets) {
            switch (d) {
                case "german_credit" -> results.addAll(germanCredit(sources, trials, budgetMinutes));
                case "flights" -> results.addAll(flights(sources));
                default -> results.addAll(generated(QualityShapes.shape(d), rows, trials, budgetMinutes));
            }
        }
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("rows_per_generated_table", rows);
        env.put("trials", trials);
        env.put("budget_minutes", budgetMinutes);
        env.put("threads", threads);
        env.put("native_default", "XGBoost " + NATIVE_ROUNDS + " rounds at most, early stopping after " + NATIVE_EARLY_STOPPING
                + ", every other parameter XGBoost's default (eta 0.3, max_depth 6, ...)");
        return new BenchReport("quality", "generated shapes: treeline within 0.005 AUC and 0.01 log loss of the limit; every dataset: treeline "
                + ">= native default in AUC and log loss; flights June holdout AUC >= 0.73", env, results);
    }

    // ---- generated tables -------------------------------------------------------------------------------------

    private List<BenchResult> generated(QualityShapes.Shape shape, int rows, int trials, double budgetMinutes) throws Exception {
        progress.info(String.format("%s: %,d generated rows (%s) ...", shape.name(), rows, shape.description()));
        Path dir = work.resolve(shape.name());
        AtomicFiles.deleteRecursively(dir);
        Path table = dir.resolve("table.parquet");
        QualityShapes.generate(spark, shape, rows, 17).coalesce(1).write().parquet(table.toString());
        String yaml = singleTableSpec("quality-" + shape.name().replace('_', '-'), table, QualityShapes.features(shape), trials, budgetMinutes);
        Path spec = Files.writeString(dir.resolve("pipeline.yaml"), yaml);
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(spec, Map.of());
        Run run = runPipeline(pipeline, dir.resolve("ws"), DATE, null);
        Scored treeline = treelineFigures(run);

        // The limit: the true probabilities of the holdout rows, chosen by the split exactly as the pipeline chose them.
        SplitSpec split = pipeline.spec().split();
        Dataset<Row> curated = run.catalog.partitioned("rows").read(List.of(DATE));
        Dataset<Row> holdout = RowSplit.assign(curated, split, "label = 1", run.catalog.partitioned("rows").column())
                .filter(functions.col(RowSplit.COLUMN).equalTo("holdout"))
                .select(functions.col(QualityShapes.LABEL).cast("double").as("y"), functions.col(QualityShapes.TRUE_P).as("p")).cache();
        Scored limit = new Scored(ScoreBins.of(holdout, "y", "p").auc(), BinaryMetrics.meanLogLoss(holdout, "y", "p"), 0);
        holdout.unpersist();

        Scored nativeDefault = nativeDefault(run, false);
        return lines(shape.name(), rows, treeline, nativeDefault, limit);
    }

    static String singleTableSpec(String name, Path table, Map<String, String> features, int trials, double budgetMinutes) {
        StringBuilder f = new StringBuilder();
        features.forEach((k, v) -> f.append("        ").append(k).append(": ").append(v).append('\n'));
        return """
            pipeline: %1$s
            split: {method: stratified, validation: 0.15, holdout: 0.2, seed: 1}
            datasets:
              raw: {path: %2$s}
              rows: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [rows]}
              - name: features
                inputs: [rows]
                outputs: [training_features, feature_pipeline]
                params:
                  label: label = 1
                  features:
            %3$s
              - name: train
                type: xgboost_train
                inputs: [training_features, feature_pipeline]
                outputs: [model]
                params:
                  num_rounds: 2000
                  early_stopping_rounds: 50
                  seed: 42
                  num_workers: 1
                  tune: {method: tpe, trials: %4$d, budget_minutes: %5$s}
              - {name: evaluate, inputs: [rows, model], outputs: [evaluation], params: {plots: false}}
            """.formatted(name, table, f.toString().stripTrailing().replaceAll("(?m)^        ", "          "), trials, budgetMinutes);
    }

    // ---- the real datasets ------------------------------------------------------------------------------------

    private List<BenchResult> germanCredit(Sources sources, int trials, double budgetMinutes) throws Exception {
        if (sources.germanCreditDir() == null) return List.of();
        progress.info("german_credit: the shipped example (stratified 20% holdout, 5-fold cross-validation, tuning) ...");
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(sources.germanCreditSpec(),
                Map.of("TREELINE_DATA_DIR", sources.germanCreditDir().toString(), "TRIALS", Integer.toString(trials)));
        Run run = runPipeline(pipeline, work.resolve("german-credit-ws"), DATE, "evaluate");
        return lines("german_credit", 1000, treelineFigures(run), nativeDefault(run, true), null);
    }

    private List<BenchResult> flights(Sources sources) throws Exception {
        if (sources.flights() == null) return List.of();
        progress.info("flights: the shipped example, June as the holdout (--date 2001-06-30, HOLDOUT_DAYS=30) ...");
        Pipeline pipeline = new SpecLoader(StepTypes.discover()).load(sources.flightsSpec(),
                Map.of("TREELINE_DATA", sources.flights().toString(), "HOLDOUT_DAYS", "30"));
        Run run = runPipeline(pipeline, work.resolve("flights-ws"), FLIGHTS_DATE, "evaluate");
        long rows = (long) (run.state.number("features", "rows_train") + run.state.number("features", "rows_validation")
                + run.state.number("features", "rows_holdout"));
        return lines("flights", rows, treelineFigures(run), nativeDefault(run, false), null);
    }

    // ---- contenders -------------------------------------------------------------------------------------------

    record Run(RunState state, Catalog catalog, Path runData, double seconds) {}

    private Run runPipeline(Pipeline pipeline, Path ws, LocalDate date, String toStep) throws IOException {
        AtomicFiles.deleteRecursively(ws);
        PipelineRunner runner = UntrackedRunner.create(spark, ws, cache, progress);
        long t0 = System.nanoTime();
        RunOutcome outcome = runner.run(pipeline, date, new RunOptions(false, null, toStep));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path runData = new RunDir(runner.store().runDir(pipeline.spec().name(), date, outcome.state().runId)).data();
        return new Run(outcome.state(), runner.catalog(pipeline.spec(), outcome.state()), runData, seconds);
    }

    private static Scored treelineFigures(Run run) {
        return new Scored(run.state.number("evaluate", "holdout_auc"), run.state.number("evaluate", "holdout_logloss"),
                stepSeconds(run.state, "train") + stepSeconds(run.state, "evaluate"));
    }

    private static double stepSeconds(RunState state, String step) {
        var s = state.step(step);
        return s == null || s.seconds == null ? 0 : s.seconds;
    }

    /**
     * XGBoost's defaults on the pipeline's own feature vectors: trained on the training rows, early-stopped on the
     * validation rows (with cross-validation: trained on folds 2..k, early-stopped on fold 1), scored on the holdout.
     */
    private Scored nativeDefault(Run run, boolean folds) throws Exception {
        progress.info("  native XGBoost, default parameters ...");
        Dataset<Row> snapshot = run.catalog.read("training_features");
        FeatureMeta meta = FeatureMeta.read(run.catalog.directory("feature_pipeline"));
        Column isTrain = folds ? functions.col("split").equalTo("train").and(functions.col(FeaturePipelineFactory.FOLD).notEqual(0)) : functions.col("split").equalTo("train");
        Column isValidation = folds ? functions.col("split").equalTo("train").and(functions.col(FeaturePipelineFactory.FOLD).equalTo(0))
                : functions.col("split").equalTo("validation");
        int f = meta.featureNames().size();
        String[] types = meta.hasCategorical() ? meta.featureTypes().toArray(String[]::new) : null;
        DMatrix train = matrix(snapshot.filter(isTrain), f, types);
        DMatrix validation = matrix(snapshot.filter(isValidation), f, types);
        DMatrix holdout = matrix(snapshot.filter(functions.col("split").equalTo("holdout")), f, types);
        Map<String, Object> params = new HashMap<>();
        params.put("objective", "binary:logistic");
        params.put("eval_metric", "logloss");
        params.put("tree_method", "hist");
        params.put("nthread", spark.sparkContext().defaultParallelism());
        params.put("seed", 0);
        params.put("verbosity", 0);
        Map<String, DMatrix> watches = new LinkedHashMap<>();
        watches.put("validation", validation);
        long t0 = System.nanoTime();
        Booster b = XGBoost.train(train, params, NATIVE_ROUNDS, watches, null, null, null, NATIVE_EARLY_STOPPING);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String best = b.getAttr("best_iteration");
        int end = best == null ? 0 : Integer.parseInt(best) + 1;
        float[][] p = b.predict(holdout, false, end);
        float[] y = holdout.getLabel();
        List<Row> rows = new ArrayList<>(y.length);
        for (int i = 0; i < y.length; i++) rows.add(org.apache.spark.sql.RowFactory.create((double) y[i], (double) p[i][0]));
        Dataset<Row> scored = spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType().add("y", "double").add("p", "double"));
        b.dispose();
        train.dispose();
        validation.dispose();
        holdout.dispose();
        return new Scored(ScoreBins.of(scored, "y", "p").auc(), BinaryMetrics.meanLogLoss(scored, "y", "p"), seconds);
    }

    private static DMatrix matrix(Dataset<Row> rows, int f, String[] types) throws Exception {
        Dataset<Row> sel = rows.select(FeaturePipelineFactory.LABEL, FeaturePipelineFactory.FEATURES);
        DenseRows dense = DenseRows.stream(sel, (int) sel.count(), f);
        DMatrix m = new DMatrix(dense.data(), dense.rows(), f, Float.NaN);
        m.setLabel(dense.labels());
        if (types != null) m.setFeatureTypes(types);
        return m;
    }

    // ---- report lines -----------------------------------------------------------------------------------------

    private static List<BenchResult> lines(String dataset, long rows, Scored treeline, Scored nativeDefault, Scored limit) {
        List<BenchResult> out = new ArrayList<>();
        out.add(line(dataset, "treeline", rows, treeline, nativeDefault, limit));
        out.add(line(dataset, "native_default", rows, nativeDefault, nativeDefault, limit));
        if (limit != null) out.add(line(dataset, "limit", rows, limit, nativeDefault, limit));
        return out;
    }

    private static BenchResult line(String dataset, String contender, long rows, Scored s, Scored base, Scored limit) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("dataset", dataset);
        facts.put("contender", contender);
        facts.put("auc", s.auc());
        facts.put("logloss", s.logloss());
        facts.put("rows", rows);
        String gap = "";
        if (limit != null) {
            facts.put("auc_gap_to_limit", limit.auc() - s.auc());
            facts.put("logloss_gap_to_limit", s.logloss() - limit.logloss());
            if (!contender.equals("limit")) {
                gap = String.format(" · gap to limit: AUC %.4f, log loss %.4f", limit.auc() - s.auc(), s.logloss() - limit.logloss());
            }
        }
        if (!contender.equals("native_default") && !contender.equals("limit")) {
            facts.put("auc_vs_native_default", s.auc() - base.auc());
            facts.put("logloss_vs_native_default", s.logloss() - base.logloss());
        }
        double ratio = base.seconds() > 0 ? s.seconds() / base.seconds() : Double.NaN;
        return new BenchResult(dataset + " · " + contender, s.seconds(), ratio, String.format("AUC %.4f · log loss %.4f%s", s.auc(), s.logloss(), gap),
                facts);
    }
}
