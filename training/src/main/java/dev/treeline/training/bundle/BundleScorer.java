package dev.treeline.training.bundle;

import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.pipelines.format.Calibration;
import dev.treeline.pipelines.format.ModelMeta;
import dev.treeline.pipelines.format.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Scores raw rows the way serving does: the bundle's saved feature pipeline, then the native booster
 * on dense float batches, using trees up to the best iteration, then the bundle's calibration if any. Runs on the executors (mapPartitions),
 * nothing is collected to the driver.
 */
public final class BundleScorer {
    public static final String SCORE = "score";
    /** Multiclass models: the probability of each class, index = class. */
    public static final String PROBABILITIES = "probabilities";
    private static final int BATCH = 8192;

    /** What the booster returns per row. */
    public enum Output {
        /** One value: the positive class's probability, the regression prediction, or (multiclass) the most likely class. */
        VALUE,
        /** One raw margin, before the objective's link function: the base margin of continued training. */
        MARGIN
    }

    private BundleScorer() {}

    /**
     * Returns {@code keep} columns plus {@code score}: the positive class's probability (binary), the
     * prediction (regression), or the most likely class (multiclass, with {@code probabilities} too).
     */
    public static Dataset<Row> score(SparkSession spark, ModelBundle bundle, Dataset<Row> raw, String... keep) {
        return score(spark, bundle, bundle.meta().calibration(), raw, keep);
    }

    /** As {@link #score}, without the bundle's calibration: the booster's own probabilities, for comparing the two. */
    public static Dataset<Row> scoreUncalibrated(SparkSession spark, ModelBundle bundle, Dataset<Row> raw, String... keep) {
        return score(spark, bundle, null, raw, keep);
    }

    private static Dataset<Row> score(SparkSession spark, ModelBundle bundle, Calibration calibration, Dataset<Row> raw, String... keep) {
        // The pipeline never reads a column named like its output (the features step refuses such a spec): a table's own goes.
        Dataset<Row> features = bundle.loadFeaturePipeline().transform(raw.drop(FeaturePipelineFactory.FEATURES));
        String[] cols = new String[keep.length + 1];
        System.arraycopy(keep, 0, cols, 0, keep.length);
        cols[keep.length] = FeaturePipelineFactory.FEATURES;
        Dataset<Row> input = features.selectExpr(quote(cols));
        ModelMeta meta = bundle.meta();
        return predict(spark, input, FeaturePipelineFactory.FEATURES, bundle.boosterBytes(), meta.featureNames().size(), meta.iterationEnd(),
                Output.VALUE, meta.task() == Task.MULTICLASS, calibration).drop(FeaturePipelineFactory.FEATURES);
    }

    /**
     * {@code input} with one column added, {@code score} ({@code output} of the booster's first
     * {@code iterationEnd} iterations on the vector column {@code featuresCol}), and with
     * {@code probabilities} when {@code classes} is set.
     */
    public static Dataset<Row> predict(SparkSession spark, Dataset<Row> input, String featuresCol, byte[] booster, int nFeatures, int iterationEnd,
                                       Output output, boolean classes) {
        return predict(spark, input, featuresCol, booster, nFeatures, iterationEnd, output, classes, null);
    }

    /** As above, with the bundle's calibration (or null) applied to a binary model's values. */
    public static Dataset<Row> predict(SparkSession spark, Dataset<Row> input, String featuresCol, byte[] booster, int nFeatures, int iterationEnd,
                                       Output output, boolean classes, Calibration calibration) {
        Calibration applied = output == Output.VALUE && !classes ? calibration : null;
        List<StructField> fields = new ArrayList<>(List.of(input.schema().fields()));
        fields.add(DataTypes.createStructField(SCORE, DataTypes.DoubleType, false));
        if (classes) fields.add(DataTypes.createStructField(PROBABILITIES, DataTypes.createArrayType(DataTypes.DoubleType, false), false));
        StructType outSchema = DataTypes.createStructType(fields);
        Broadcast<byte[]> model = new JavaSparkContext(spark.sparkContext()).broadcast(booster);
        int vec = input.schema().fieldIndex(featuresCol);
        MapPartitionsFunction<Row, Row> predict = rows -> new Scoring(rows, model.value(), nFeatures, iterationEnd, vec, output, classes, applied);
        return input.mapPartitions(predict, Encoders.row(outSchema));
    }

    private static String[] quote(String[] cols) {
        String[] out = new String[cols.length];
        for (int i = 0; i < cols.length; i++) out[i] = "`" + cols[i] + "`";
        return out;
    }

    /** Iterates one partition in batches: fill a row-major float matrix, predict in place, emit. */
    private static final class Scoring implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final byte[] modelBytes;
        private final int nFeatures;
        private final int iterationEnd;
        private final int vec;
        private final Output output;
        private final boolean classes;
        private final Calibration calibration;
        private Booster booster;
        private List<Row> batch = List.of();
        private float[][] scores;
        private int pos;

        Scoring(Iterator<Row> rows, byte[] modelBytes, int nFeatures, int iterationEnd, int vec, Output output, boolean classes, Calibration calibration) {
            this.calibration = calibration;
            this.rows = rows;
            this.modelBytes = modelBytes;
            this.nFeatures = nFeatures;
            this.iterationEnd = iterationEnd;
            this.vec = vec;
            this.output = output;
            this.classes = classes;
        }

        @Override
        public boolean hasNext() {
            if (pos < batch.size()) return true;
            if (!rows.hasNext()) {
                if (booster != null) booster.dispose();
                booster = null;
                return false;
            }
            nextBatch();
            return pos < batch.size();
        }

        @Override
        public Row next() {
            Row r = batch.get(pos);
            int n = r.size();
            Object[] values = new Object[n + (classes ? 2 : 1)];
            for (int i = 0; i < n; i++) values[i] = r.get(i);
            float[] s = scores[pos];
            if (classes) {
                int best = 0;
                double[] p = new double[s.length];
                for (int k = 0; k < s.length; k++) {
                    p[k] = s[k];
                    if (s[k] > s[best]) best = k;
                }
                values[n] = (double) best;
                values[n + 1] = p;
            } else {
                values[n] = calibration == null ? (double) s[0] : calibration.apply(s[0]);
            }
            pos++;
            return RowFactory.create(values);
        }

        private void nextBatch() {
            try {
                if (booster == null) {
                    booster = XGBoost.loadModel(modelBytes);
                    booster.setParam("nthread", 1);
                }
                List<Row> rowsOfBatch = new ArrayList<>(BATCH);
                while (rows.hasNext() && rowsOfBatch.size() < BATCH) rowsOfBatch.add(rows.next());
                float[] data = new float[rowsOfBatch.size() * nFeatures];
                for (int i = 0; i < rowsOfBatch.size(); i++) {
                    Vector v = (Vector) rowsOfBatch.get(i).get(vec);
                    if (v.size() != nFeatures) throw new IllegalStateException("feature vector has " + v.size() + " values, the model expects " + nFeatures);
                    for (int j = 0; j < nFeatures; j++) data[i * nFeatures + j] = (float) v.apply(j);
                }
                Booster.PredictionType type = output == Output.MARGIN ? Booster.PredictionType.kMargin : Booster.PredictionType.kValue;
                scores = rowsOfBatch.isEmpty() ? new float[0][]
                        : booster.inplace_predict(data, rowsOfBatch.size(), nFeatures, Float.NaN, new int[] {0, iterationEnd}, type, null);
                batch = rowsOfBatch;
                pos = 0;
            } catch (XGBoostError | IOException e) {
                throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
            }
        }
    }
}
