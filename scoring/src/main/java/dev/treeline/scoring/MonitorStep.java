package dev.treeline.scoring;

import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.format.Task;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowTracking;
import dev.treeline.registry.review.AuditLog;
import dev.treeline.registry.s3.Manifest;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.steps.RegistryTags;
import dev.treeline.registry.steps.ServingTarget;
import dev.treeline.training.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Judges the served model on labels that arrived: for the scored day {@code label_delay_days} before the
 * logical date, joins each version's scores with the labels by id and computes realised metrics for the day
 * and the rolling window, feature drift (PSI per feature against the evaluated sample the bundle carries)
 * and score drift; checks the decay rules, and on a breach tags the version {@code decayed} in MLflow, writes
 * an audit entry and, by {@code on_decay}, asks the controller for a retraining run. One row per version and
 * day in the monitoring dataset; one MLflow run in {@code <model>-monitoring}.
 */
final class MonitorStep implements Step {
    static final String LABEL = "_label";
    /** The monitoring dataset's columns, one row per day and version. */
    static final StructType SCHEMA = new StructType()
            .add("model_version", DataTypes.StringType)
            .add("rows_scored", DataTypes.LongType)
            .add("rows_labelled", DataTypes.LongType)
            .add("metrics_json", DataTypes.StringType)
            .add("evaluated_auc_ci_low", DataTypes.DoubleType)
            .add("below_ci_low", DataTypes.BooleanType)
            .add("breaches", DataTypes.StringType)
            .add("decayed", DataTypes.BooleanType);
    private static final int DRIFT_SAMPLE = 100_000;
    /** The step's numbers (run state, controller metrics and alerts): these metrics of each version, then breaches, decayed, retrain, drift. */
    static final List<String> REPORTED = List.of("rows_labelled", "auc", "auc_ci_low", "logloss", "calibration_error", "positive_rate", "rmse", "mae",
            "score_psi", "feature_psi_max", "evaluated_auc", "evaluated_auc_ci_low");
    private final MonitorParams params;

    MonitorStep(MonitorParams params) {
        this.params = params;
    }

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        String model = params.model() != null ? params.model() : ctx.pipeline().modelName();
        LocalDate day = ctx.logicalDate().minusDays(params.labelDelayDays());
        PartitionedDataset scores = ctx.catalog().partitioned(ctx.input(0));
        PartitionedDataset labels = ctx.catalog().partitioned(ctx.input(1));
        PartitionedDataset out = ctx.catalog().partitioned(ctx.output(0));
        PartitionMarker scored = scores.marker(day);
        if (scored == null || scored.rows() == 0) return StepResult.of("no scored rows for " + day + " (label delay " + params.labelDelayDays() + " days): nothing to judge");
        if (labels.marker(day) == null) return StepResult.of("labels for " + day + " are not published yet: nothing to judge");
        ServingTarget target = params.target() != null ? params.target() : ServingTarget.of(ctx.pipeline());
        if (target == null) {
            throw new TreelineException(ExitCode.SPEC, "step '" + ctx.step().name() + "': the pipeline has no push step to take serving's bucket from; set params.bucket");
        }
        try (MlflowConnection mlflow = MlflowConnection.fromEnvironment(ctx.environment().requireMlflow());
             S3Client s3 = S3Clients.create(ctx.environment().s3())) {
            S3Publisher publisher = target.publisher(s3, ctx.environment().s3());
            Dataset<Row> dayScores = scores.read(List.of(day));
            List<String> versions = dayScores.select(BatchScorer.VERSION).distinct().collectAsList().stream().map(r -> r.getString(0)).sorted().toList();
            List<Row> rows = new ArrayList<>();
            Map<String, Double> numbers = new LinkedHashMap<>();
            List<String> summary = new ArrayList<>();
            Map<String, String> tags = new LinkedHashMap<>(Map.of("treeline.model", model, "treeline.day", day.toString(),
                    "treeline.pipeline", ctx.pipeline().name(), "treeline.pipeline_run", ctx.runId(), "treeline.model_versions", String.join(",", versions)));
            Tracker run = new MlflowTracking(mlflow).start(model + "-monitoring", "monitor " + day, tags);
            boolean ok = false;
            try {
                Map<String, Double> logged = new LinkedHashMap<>();
                for (String version : versions) {
                    ServedModel served = ServedModel.resolve(publisher, model, version, a -> a, ctx.environment().layout().tmp().resolve("served"));
                    ModelBundle bundle = served.primary().bundle();
                    Judged j = judge(ctx, bundle, scores, labels, out, day, version, publisher, model);
                    rows.add(RowFactory.create(version, j.rowsScored, j.rowsLabelled, Json.canonical(j.metrics), j.ciLow, j.belowCiLow,
                            String.join("; ", j.breaches), !j.breaches.isEmpty(), Date.valueOf(day)));
                    String prefix = versions.size() > 1 ? "v" + version + "_" : "";
                    j.metrics.forEach((k, v) -> logged.put(prefix + k, v));
                    boolean newlyDecayed = !j.breaches.isEmpty() && markDecayed(ctx, mlflow, publisher, model, version, day, j.breaches);
                    for (String k : REPORTED) if (j.metrics.containsKey(k)) numbers.put(prefix + k, j.metrics.get(k));
                    double psiMax = j.metrics.getOrDefault("feature_psi_max", Double.NaN);
                    if (!Double.isNaN(params.rules().psiThreshold()) && psiMax > params.rules().psiThreshold()) numbers.put("drift", 1.0);
                    if (!j.breaches.isEmpty()) {
                        numbers.put("breaches", numbers.getOrDefault("breaches", 0.0) + j.breaches.size());
                        if (newlyDecayed) {
                            numbers.put("decayed", 1.0);
                            if (MonitorParams.RETRAIN.equals(params.onDecay())) numbers.put("retrain", 1.0);
                        }
                    }
                    summary.add(String.format("version %s on %s: realised %s (evaluated CI low %.4f)%s", version, day,
                            j.metrics.containsKey("auc") ? String.format("AUC %.4f over %,d labelled rows", j.metrics.get("auc"), j.rowsLabelled)
                                    : String.format("RMSE %.4f over %,d labelled rows", j.metrics.getOrDefault("rmse", Double.NaN), j.rowsLabelled),
                            j.ciLow, j.breaches.isEmpty() ? "" : "; DECAY: " + String.join("; ", j.breaches)));
                }
                StructType schema = SCHEMA.add(out.column(), DataTypes.DateType);
                out.replace(ctx.spark().createDataFrame(rows, schema), List.of(day), d -> scored.fingerprint() + "|" + labels.marker(d).fingerprint());
                run.logMetrics(logged);
                MonitorArtifacts.write(ctx, out, run, day);
                ok = true;
            } finally {
                run.end(ok);
            }
            numbers.putIfAbsent("breaches", 0.0);
            numbers.putIfAbsent("drift", 0.0);
            return StepResult.of(String.join("; ", summary), numbers).withFacts(Map.of("judged_day", day.toString()));
        }
    }

    private record Judged(long rowsScored, long rowsLabelled, Map<String, Double> metrics, double ciLow, boolean belowCiLow, List<String> breaches) {}

    private Judged judge(StepContext ctx, ModelBundle bundle, PartitionedDataset scores, PartitionedDataset labels, PartitionedDataset out,
                         LocalDate day, String version, S3Publisher publisher, String model) throws Exception {
        Task task = bundle.meta().task();
        String label = params.label() != null ? params.label() : bundle.featureMeta().label();
        List<String> id = params.id().isEmpty() ? List.of(BatchScorer.ROW_ID) : params.id();
        Column mine = functions.col(BatchScorer.VERSION).equalTo(version);
        Dataset<Row> dayScores = scores.read(List.of(day)).filter(mine);
        Dataset<Row> dayLabels = labels.read(List.of(day));
        Map<String, Double> m = new LinkedHashMap<>();
        Dataset<Row> joined = join(dayScores, withId(dayLabels, labels.column()), id, label).cache();
        try {
            long scoredRows = dayScores.count();
            long labelled = joined.count();
            m.put("rows_scored", (double) scoredRows);
            m.put("rows_labelled", (double) labelled);
            if (labelled > 0) m.putAll(RealisedMetrics.of(task, joined, LABEL, BatchScorer.SCORE, params.seed()));
            // The rolling window: every scored and labelled day of the last window_days, this one included.
            TreeMap<LocalDate, PartitionMarker> sd = scores.markers();
            TreeMap<LocalDate, PartitionMarker> ld = labels.markers();
            List<LocalDate> window = new ArrayList<>();
            for (LocalDate d = day.minusDays(params.windowDays() - 1); !d.isAfter(day); d = d.plusDays(1)) {
                if (sd.containsKey(d) && sd.get(d).rows() > 0 && ld.containsKey(d) && ld.get(d).rows() > 0) window.add(d);
            }
            if (window.size() > 1) {
                Dataset<Row> w = join(scores.read(window).filter(mine), withId(labels.read(window), labels.column()), id, label);
                RealisedMetrics.of(task, w, LABEL, BatchScorer.SCORE, params.seed()).forEach((k, v) -> m.put("window_" + k, v));
            }
            double[] reference = ScoreSummary.expectedScores(ctx.spark(), bundle);
            if (reference.length > 0) {
                double[] edges = Psi.edges(reference);
                m.put("score_psi", Psi.psi(Psi.counts(reference, edges), Psi.counts(dayScores, BatchScorer.SCORE, edges)));
            }
            Map<String, Double> topPsi = featurePsi(ctx, bundle, dayLabels, labels.column(), day);
            topPsi.forEach((f, v) -> m.put("psi_" + MetricNames.safe(f), v));
            if (!topPsi.isEmpty()) m.put("feature_psi_max", topPsi.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
            Manifest manifest = publisher.published(model, version).map(Map.Entry::getKey).orElse(null);
            double ciLow = manifest == null || manifest.metrics() == null ? Double.NaN : manifest.metrics().getOrDefault("auc_ci_low", Double.NaN);
            if (manifest != null && manifest.metrics() != null && manifest.metrics().containsKey("auc")) m.put("evaluated_auc", manifest.metrics().get("auc"));
            if (!Double.isNaN(ciLow)) m.put("evaluated_auc_ci_low", ciLow);
            double auc = m.getOrDefault("auc", Double.NaN);
            boolean below = !Double.isNaN(auc) && !Double.isNaN(ciLow) && auc < ciLow;
            List<String> breaches = params.rules().breaches(m, ciLow, history(out, day, version), topPsi);
            return new Judged(scoredRows, labelled, m, ciLow, below, breaches);
        } finally {
            joined.unpersist();
        }
    }

    /** Whether each earlier monitored day of this version had its AUC below the CI lower bound, newest first. */
    private static List<Boolean> history(PartitionedDataset out, LocalDate day, String version) {
        List<LocalDate> before = new ArrayList<>(out.markers().headMap(day, false).keySet());
        if (before.isEmpty()) return List.of();
        before.sort(Comparator.reverseOrder());
        List<LocalDate> recent = before.subList(0, Math.min(before.size(), 366));
        Map<LocalDate, Boolean> flags = new TreeMap<>();
        for (Row r : out.read(recent).filter(functions.col("model_version").equalTo(version)).select(out.column(), "below_ci_low").collectAsList()) {
            flags.put(r.getDate(0).toLocalDate(), r.getBoolean(1));
        }
        List<Boolean> out2 = new ArrayList<>();
        for (LocalDate d : recent) out2.add(flags.getOrDefault(d, false));
        return out2;
    }

    /** The labelled rows' ids as the score step computed them (a hash of every column when no id is declared). */
    private Dataset<Row> withId(Dataset<Row> rows, String dayColumn) {
        return params.id().isEmpty() ? RowIds.withRowId(rows, BatchScorer.ROW_ID, dayColumn) : rows;
    }

    /** Scores joined with labels by id; ids that occur more than once among the labels are left out (ambiguous). */
    private static Dataset<Row> join(Dataset<Row> scores, Dataset<Row> labelled, List<String> id, String label) {
        Column[] idCols = id.stream().map(c -> functions.col("`" + c + "`")).toArray(Column[]::new);
        Dataset<Row> l = labelled.withColumn(LABEL, functions.expr(label).cast("double")).filter(functions.col(LABEL).isNotNull())
                .groupBy(idCols).agg(functions.count(functions.lit(1)).as("_n"), functions.first(LABEL).as(LABEL))
                .filter(functions.col("_n").equalTo(1)).drop("_n");
        Column on = null;
        for (String c : id) {
            Column eq = scores.col("`" + c + "`").equalTo(l.col("`" + c + "`"));
            on = on == null ? eq : on.and(eq);
        }
        return scores.join(l, on, "inner").select(scores.col(BatchScorer.SCORE), l.col(LABEL));
    }

    /** PSI of the most important features between the bundle's evaluated sample and this day's rows (a sample of them). */
    private Map<String, Double> featurePsi(StepContext ctx, ModelBundle bundle, Dataset<Row> dayRows, String dayColumn, LocalDate day) throws Exception {
        Path samplePath = bundle.dir().resolve(ModelBundle.SCORING_SAMPLE);
        if (!Files.isDirectory(samplePath)) return Map.of();
        List<String> names = bundle.meta().featureNames();
        Map<String, Double> gain = new LinkedHashMap<>();
        Json.MAPPER.readTree(bundle.dir().resolve(ModelBundle.IMPORTANCE).toFile()).fields().forEachRemaining(e -> gain.put(e.getKey(), e.getValue().asDouble()));
        List<Integer> top = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) top.add(i);
        top.sort(Comparator.comparingDouble((Integer i) -> -gain.getOrDefault(names.get(i), 0.0)));
        top = top.subList(0, Math.min(params.rules().psiTopK(), top.size()));
        // The sample holds the evaluated rows as the pipeline read them (looked-up columns included): its vectors are rebuilt here.
        var pipeline = bundle.loadFeaturePipeline();
        List<Row> sample = pipeline.transform(ctx.spark().read().parquet(samplePath.toString()).drop(FeaturePipelineFactory.FEATURES))
                .select(FeaturePipelineFactory.FEATURES).collectAsList();
        double[][] edges = new double[names.size()][];
        long[][] reference = new long[names.size()][];
        for (int f = 0; f < names.size(); f++) {
            double[] values = new double[sample.size()];
            for (int i = 0; i < values.length; i++) values[i] = ((Vector) sample.get(i).get(0)).apply(f);
            edges[f] = Psi.edges(values);
            reference[f] = Psi.counts(values, edges[f]);
        }
        long n = dayRows.count();
        Dataset<Row> rows = n > DRIFT_SAMPLE ? dayRows.sample(DRIFT_SAMPLE / (double) n, params.seed()) : dayRows;
        Dataset<Row> vectors = pipeline.transform(ScoreStep.lookups(ctx, bundle, rows.drop(FeaturePipelineFactory.FEATURES),
                dayColumn, day, day));
        long[][] current = Psi.vectorCounts(vectors, FeaturePipelineFactory.FEATURES, edges);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int f : top) out.put(names.get(f), Psi.psi(reference[f], current[f]));
        return out;
    }

    /** Tags the version decayed and writes the audit entry, once: false when an earlier day already did. */
    private boolean markDecayed(StepContext ctx, MlflowConnection mlflow, S3Publisher publisher, String model, String version, LocalDate day,
                                List<String> breaches) {
        Map<String, String> vtags = mlflow.registry().version(model, version).tags();
        if (vtags != null && vtags.containsKey(RegistryTags.DECAYED)) return false;
        String reason = String.join("; ", breaches);
        mlflow.registry().setVersionTags(model, version, Map.of(RegistryTags.DECAYED, day.toString(), RegistryTags.DECAY_REASON,
                reason.length() > RegistryTags.VALUE_MAX ? reason.substring(0, RegistryTags.VALUE_MAX) : reason));
        new AuditLog(ctx.environment().workspace(), publisher).append(model, version, "decayed", "monitor step of " + ctx.pipeline().name(), reason,
                Map.of("day", day.toString(), "on_decay", params.onDecay(), "pipeline_run", ctx.runId()));
        return true;
    }
}
