package dev.treeline.training.bundle;

import dev.treeline.features.build.FeaturePipelineFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
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
 * on dense float batches, using trees up to the best iteration. Runs on the executors (mapPartitions),
 * nothing is collected to the driver.
 */
public final class BundleScorer {
    public static final String SCORE = "score";
    private static final int BATCH = 8192;

    private BundleScorer() {}

    /** Returns {@code keep} columns plus {@code score} (probability of the positive class). */
    public static Dataset<Row> score(SparkSession spark, ModelBundle bundle, Dataset<Row> raw, String... keep) {
        Dataset<Row> features = bundle.loadFeaturePipeline().transform(raw);
        String[] cols = new String[keep.length + 1];
        System.arraycopy(keep, 0, cols, 0, keep.length);
        cols[keep.length] = FeaturePipelineFactory.FEATURES;
        Dataset<Row> input = features.selectExpr(quote(cols));

        List<StructField> fields = new ArrayList<>();
        for (String k : keep) fields.add(input.schema().apply(k));
        fields.add(DataTypes.createStructField(SCORE, DataTypes.DoubleType, false));
        StructType outSchema = DataTypes.createStructType(fields);

        int nFeatures = bundle.meta().featureNames().size();
        int iterationEnd = bundle.meta().iterationEnd();
        Broadcast<byte[]> model = new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext()).broadcast(bundle.boosterBytes());
        int keepCount = keep.length;
        MapPartitionsFunction<Row, Row> predict = rows -> new Scoring(rows, model.value(), nFeatures, iterationEnd, keepCount);
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
        private final int keep;
        private Booster booster;
        private List<Row> batch = List.of();
        private float[][] scores;
        private int pos;

        Scoring(Iterator<Row> rows, byte[] modelBytes, int nFeatures, int iterationEnd, int keep) {
            this.rows = rows;
            this.modelBytes = modelBytes;
            this.nFeatures = nFeatures;
            this.iterationEnd = iterationEnd;
            this.keep = keep;
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
            Object[] values = new Object[keep + 1];
            for (int i = 0; i < keep; i++) values[i] = r.get(i);
            values[keep] = (double) scores[pos][0];
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
                    Vector v = (Vector) rowsOfBatch.get(i).get(keep);
                    if (v.size() != nFeatures) throw new IllegalStateException("feature vector has " + v.size() + " values, the model expects " + nFeatures);
                    for (int j = 0; j < nFeatures; j++) data[i * nFeatures + j] = (float) v.apply(j);
                }
                scores = rowsOfBatch.isEmpty() ? new float[0][]
                        : booster.inplace_predict(data, rowsOfBatch.size(), nFeatures, Float.NaN, new int[] {0, iterationEnd},
                        Booster.PredictionType.kValue, null);
                batch = rowsOfBatch;
                pos = 0;
            } catch (ml.dmlc.xgboost4j.java.XGBoostError | java.io.IOException e) {
                throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
            }
        }
    }
}
