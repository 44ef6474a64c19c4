package dev.treeline.cli.bench;

import java.util.Iterator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Labelled feature rows streamed into one row-major float matrix (no list of rows on the way): what a
 * single-process XGBoost user holds in memory, for the benchmarks' native baselines.
 */
record DenseRows(float[] data, float[] labels, int rows, int features) {

    /** {@code labelAndVector}: the label (double) in column 0, the feature vector in column 1; {@code n} rows, {@code f} features. */
    static DenseRows stream(Dataset<Row> labelAndVector, int n, int f) {
        float[] data = new float[n * f];
        float[] labels = new float[n];
        Iterator<Row> it = labelAndVector.toLocalIterator();
        for (int i = 0; i < n && it.hasNext(); i++) {
            Row r = it.next();
            labels[i] = (float) r.getDouble(0);
            Vector v = (Vector) r.get(1);
            for (int j = 0; j < f; j++) data[i * f + j] = (float) v.apply(j);
        }
        return new DenseRows(data, labels, n, f);
    }
}
