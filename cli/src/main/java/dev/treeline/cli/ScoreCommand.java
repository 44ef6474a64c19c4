package dev.treeline.cli;

import dev.treeline.features.build.Enrichment;
import dev.treeline.features.build.FeatureMeta;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.registry.mlflow.MlflowTracking;
import dev.treeline.scoring.BatchScorer;
import dev.treeline.scoring.ScoreSummary;
import dev.treeline.scoring.ServedModel;
import dev.treeline.training.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "score", sortOptions = false, description = {"Score a file or a pipeline's dataset with the model serving loads from S3.",
        "MODEL alone scores with what serving loads now: routing.json while an A/B test runs (each row routed by a hash of its id),",
        "else champion.json. MODEL@champion, MODEL@VERSION or MODEL@ALIAS name one version (it must be published).",
        "The output is partitioned by day and published atomically; scoring the same --date again replaces that day. Rows that",
        "cannot be scored (a missing column, a value of the wrong type) go to the rejects dataset with the reason.",
        "Each run is an MLflow run in the <model>-scoring experiment."})
final class ScoreCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;
    @Mixin MasterOption master;

    @Parameters(index = "0", paramLabel = "MODEL[@VERSION|@ALIAS]", description = "Registered model, optionally @champion, @VERSION or @ALIAS.")
    String modelRef;

    @Option(names = "--input", required = true, paramLabel = "PATH|DATASET",
            description = "Parquet (file or directory), CSV (with a header) or JSON lines; or, with --spec, a dataset of that pipeline partitioned by day.")
    String input;

    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The day scored: the output partition (and the dataset's day read).")
    LocalDate date;

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "Output root (local path or s3a:// URI), partitioned by day.")
    String output;

    @Option(names = "--rejects", paramLabel = "PATH", description = "Rejects root (default: the output root followed by _rejects).")
    String rejects;

    @Option(names = "--id", split = ",", paramLabel = "COLUMN", description = "Column(s) that identify a row (default: a hash of every column, as row_id).")
    List<String> id = new ArrayList<>();

    @Option(names = "--pass-through", split = ",", paramLabel = "COLUMN", description = "Further columns copied to the output.")
    List<String> passThrough = new ArrayList<>();

    @Option(names = "--spec", paramLabel = "FILE", description = "The model's pipeline spec: --input may name its datasets, and the datasets "
            + "the model looks features up in (aggregates, joins) are read from its workspace.")
    Path spec;

    @Override
    public Integer call() throws Exception {
        int at = modelRef.indexOf('@');
        String model = at < 0 ? modelRef : modelRef.substring(0, at);
        String ref = at < 0 ? null : modelRef.substring(at + 1);
        if (ref != null && ref.isEmpty()) throw new TreelineException(ExitCode.USAGE, "'" + modelRef + "': name a version or alias after '@'");
        try (RegistryOptions.Session s = registry.open()) {
            Pipeline pipeline = spec == null ? null : Cli.load(spec, Map.of());
            SparkSession spark = Cli.spark(EnvironmentResolver.system().sparkMaster(master.master), pipeline == null ? SparkSpec.DEFAULT : pipeline.spec().spark());
            Path tmp = Files.createDirectories(s.env.layout().tmp());
            ServedModel served = ServedModel.resolve(s.publisher(model), model, ref, a -> s.mlflow.registry().resolveVersion(model, a), tmp.resolve("served"));
            String runId = "score-" + UUID.randomUUID();
            Catalog catalog = pipeline == null ? null : new Catalog(spark, pipeline.spec(), s.env.workspace(), tmp.resolve(runId), runId);
            Dataset<Row> raw = read(spark, catalog);
            String outRoot = location(output);
            String rejectRoot = location(rejects != null ? rejects : output.replaceAll("/+$", "") + "_rejects");
            Workspace ws = s.env.layout();
            PartitionedDataset scores = Catalog.partitionedAt(spark, "scores", outRoot, ws.datasetLock("score", Integer.toHexString(outRoot.hashCode())), runId);
            PartitionedDataset rejected = Catalog.partitionedAt(spark, "rejects", rejectRoot, ws.datasetLock("score", Integer.toHexString(rejectRoot.hashCode())), runId);

            Map<String, String> tags = new LinkedHashMap<>(Map.of("treeline.model", model, "treeline.day", date.toString(), "treeline.input", input,
                    "treeline.model_versions", String.join(",", served.variants().stream().map(ServedModel.Variant::version).toList())));
            Tracker run = new MlflowTracking(s.mlflow).start(model + "-scoring", "score " + date, tags);
            boolean ok = false;
            try {
                long rowsIn = raw.count();
                BatchScorer.Result r = BatchScorer.score(spark, served, raw, new BatchScorer.Settings(id, passThrough, Catalog.DAY),
                        (bundle, rows) -> lookups(catalog, bundle, rows), run.runId(), Instant.now());
                String fp = "score " + input + " " + Instant.now();
                rejected.replace(r.rejects(), List.of(date), d -> fp);
                scores.replace(r.scored(), List.of(date), d -> fp);
                long scoredRows = Math.max(0, scores.rows(date));
                long rejectedRows = Math.max(0, rejected.rows(date));
                Map<String, Double> metrics = ScoreSummary.of(spark, served, scoredRows == 0 ? null : scores.read(List.of(date)), rowsIn, rejectedRows);
                run.logMetrics(metrics);
                ok = true;
                String with = served.split() ? "A/B " + String.join(" / ", served.variants().stream()
                        .map(v -> String.format("%s v%s %,d", v.name(), v.version(), metrics.getOrDefault("rows_" + v.name(), 0.0).longValue())).toList())
                        : "version " + served.primary().version() + (ref == null ? " (champion.json)" : "");
                System.out.printf("scored %,d of %,d rows with %s %s -> %s/day=%s%n", scoredRows, rowsIn, model, with, outRoot, date);
                if (rejectedRows > 0) {
                    System.out.printf("rejected %,d rows (reason in column %s) -> %s/day=%s%n", rejectedRows, "reject_reason", rejectRoot, date);
                }
                if (!r.missingColumns().isEmpty()) System.out.println("every row rejected: the input lacks column(s) " + r.missingColumns());
                if (metrics.containsKey("score_psi")) System.out.printf("score drift from the evaluated holdout: PSI %.3f%n", metrics.get("score_psi"));
                if (run.url() != null && !run.url().isEmpty()) System.out.println("MLflow run: " + run.url());
                if (scoredRows + rejectedRows != rowsIn) {
                    throw new TreelineException(ExitCode.FAILURE, String.format("%,d rows in but %,d scored + %,d rejected", rowsIn, scoredRows, rejectedRows));
                }
                return 0;
            } finally {
                run.end(ok);
            }
        }
    }

    private Dataset<Row> read(SparkSession spark, Catalog catalog) {
        DatasetSpec ds = catalog == null ? null : pipelineSpecDataset(catalog);
        if (ds != null) {
            if (!ds.isPartitioned()) return catalog.read(input).withColumn(Catalog.DAY, functions.lit(java.sql.Date.valueOf(date)));
            PartitionedDataset p = catalog.partitioned(input);
            if (p.marker(date) == null) {
                throw TreelineException.data("dataset '" + input + "' has no partition for " + date + "; run its pipeline for that date first");
            }
            return p.read(List.of(date)).withColumnRenamed(p.column(), Catalog.DAY);
        }
        Path file = Path.of(input);
        String where = input.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") ? input : file.toAbsolutePath().toUri().toString();
        if (!where.contains("://") || where.startsWith("file:")) {
            if (!Files.exists(file)) throw new TreelineException(ExitCode.USAGE, "--input " + input + ": no such file or directory"
                    + (spec == null ? "" : ", nor a dataset of " + spec));
        }
        String name = input.toLowerCase();
        Dataset<Row> rows = name.endsWith(".csv") ? spark.read().option("header", "true").option("inferSchema", "true").csv(where)
                : name.endsWith(".json") || name.endsWith(".jsonl") ? spark.read().json(where) : spark.read().parquet(where);
        return rows.withColumn(Catalog.DAY, functions.lit(java.sql.Date.valueOf(date)));
    }

    private Dataset<Row> lookups(Catalog catalog, ModelBundle bundle, Dataset<Row> rows) {
        FeatureMeta meta = bundle.featureMeta();
        if (!meta.needsLookups()) return rows;
        if (catalog == null) {
            throw new TreelineException(ExitCode.USAGE, "the model looks features up in dataset(s) "
                    + (meta.aggregatesDataset() != null ? meta.aggregatesDataset() : meta.joinDatasets())
                    + " of its pipeline; pass --spec with that pipeline's spec so they can be read");
        }
        return Enrichment.attach(catalog, FeatureMeta.readSpec(bundle.dir().resolve(ModelBundle.FEATURE_PIPELINE)), rows, Catalog.DAY,
                meta.aggregatesDataset(), date, date);
    }

    private DatasetSpec pipelineSpecDataset(Catalog catalog) {
        try {
            return catalog.spec(input);
        } catch (IllegalArgumentException notADataset) {
            return null;
        }
    }

    private static String location(String path) {
        if (path.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") || path.startsWith("file:")) return path;
        return Path.of(path).toAbsolutePath().normalize().toUri().toString().replaceAll("/+$", "");
    }
}
