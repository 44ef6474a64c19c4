package dev.treeline.training.train;

import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.spec.DateWindow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Predictor;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;

/**
 * Context for the XGBoost model, trained in the same run on the same feature rows: Spark MLlib's
 * logistic regression and gradient-boosted trees, measured on the snapshot's holdout rows (the rows the
 * evaluate step scores). MLlib takes no missing values, so NaN features are 0 for both.
 */
public final class Baselines {
    static final String FEATURES = "baseline_features";
    private static final UserDefinedFunction NAN_TO_ZERO = functions.udf((UDF1<Vector, Vector>) v -> {
        double[] a = v.toArray().clone();
        for (int i = 0; i < a.length; i++) if (Double.isNaN(a[i])) a[i] = 0;
        return new DenseVector(a);
    }, SQLDataTypes.VectorType());

    private Baselines() {}

    /** {@code column} with missing (NaN) features as 0, for MLlib learners, which take no missing values. */
    public static Dataset<Row> missingAsZero(Dataset<Row> rows, String column, String output) {
        return rows.withColumn(output, NAN_TO_ZERO.apply(functions.col(column)));
    }

    static Map<String, Double> run(List<String> which, Dataset<Row> snapshot, String featuresCol, TrainParams params, Progress progress) {
        // The training step reads its rows in one partition per XGBoost worker; MLlib wants every core.
        int cores = snapshot.sparkSession().sparkContext().defaultParallelism();
        Dataset<Row> spread = snapshot.rdd().getNumPartitions() < cores ? snapshot.repartition(cores) : snapshot;
        Dataset<Row> rows = missingAsZero(spread, featuresCol, FEATURES);
        Dataset<Row> train = rows.filter(functions.col("split").equalTo(DateWindow.TRAIN)).cache();
        Dataset<Row> holdout = rows.filter(functions.col("split").equalTo(DateWindow.HOLDOUT)).cache();
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            for (String name : which) {
                Predictor<?, ?, ?> estimator = switch (name) {
                    case "logistic_regression" -> new LogisticRegression().setMaxIter(100).setFeaturesCol(FEATURES).setLabelCol("label");
                    case "gbt" -> new GBTClassifier().setMaxIter(params.baselineGbtRounds()).setMaxDepth(Math.min(params.maxDepth(), 30))
                            .setStepSize(params.eta()).setMaxBins(Math.min(params.maxBin(), 256)).setSeed(params.seed())
                            .setFeaturesCol(FEATURES).setLabelCol("label");
                    default -> throw new IllegalArgumentException("unknown baseline " + name);
                };
                progress.detail("baseline " + name + " ...");
                long t0 = System.nanoTime();
                Model<?> model = estimator.fit(train);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double auc = new BinaryClassificationEvaluator().setLabelCol("label").setRawPredictionCol("rawPrediction").setNumBins(0)
                        .evaluate(model.transform(holdout));
                out.put("baseline_" + name + "_holdout_auc", auc);
                out.put("baseline_" + name + "_seconds", seconds);
                if (name.equals("gbt")) out.put("baseline_gbt_seconds_per_tree", seconds / params.baselineGbtRounds());
                progress.detail(String.format("baseline %s: holdout AUC %.4f in %.1f s", name, auc, seconds));
            }
        } finally {
            train.unpersist();
            holdout.unpersist();
        }
        return out;
    }
}
