package dev.treeline.training.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.functions;
import scala.Tuple2;

/**
 * Feature rows as dense float blocks, straight from Spark's internal rows (no Row or Vector objects),
 * placed in one partition per XGBoost worker: when the input already has that many partitions the
 * blocks are made inside the workers' tasks; otherwise they are made on every core and only the compact
 * blocks are shuffled to the workers (4 bytes a value, never the rows).
 */
final class RowBlocks {
    static final int BLOCK_ROWS = 65_536;

    /** Up to {@link #BLOCK_ROWS} rows: values row-major, labels, and weights and base margins when present. */
    static final class Block implements Serializable {
        private static final long serialVersionUID = 1L;
        final int rows;
        final float[] data;
        final float[] labels;
        final float[] weights;
        final float[] margins;

        Block(int rows, float[] data, float[] labels, float[] weights, float[] margins) {
            this.rows = rows;
            this.data = data;
            this.labels = labels;
            this.weights = weights;
            this.margins = margins;
        }
    }

    private RowBlocks() {}

    /** {@code rows} (columns label, features, and weight / base margin when asked) as blocks in exactly {@code workers} partitions. */
    static JavaRDD<Block> of(Dataset<Row> rows, int nFeatures, String labelCol, String featuresCol, String weightCol, String marginCol, int workers) {
        List<Column> cols = new ArrayList<>(List.of(functions.col(labelCol).cast("double"), functions.col(featuresCol)));
        if (weightCol != null) cols.add(functions.col(weightCol).cast("double"));
        if (marginCol != null) cols.add(functions.col(marginCol).cast("double"));
        JavaRDD<InternalRow> internal = rows.select(cols.toArray(Column[]::new)).queryExecution().toRdd().toJavaRDD();
        ToBlocks convert = new ToBlocks(nFeatures, weightCol != null, marginCol != null, workers);
        if (internal.getNumPartitions() == workers) return internal.mapPartitionsWithIndex(convert, true).map(Tuple2::_2);
        return JavaPairRDD.fromJavaRDD(internal.mapPartitionsWithIndex(convert, false)).partitionBy(new HashPartitioner(workers)).values();
    }

    /** Converts one partition; block k of input partition p goes to worker (p + k) mod workers. */
    private static final class ToBlocks implements Function2<Integer, Iterator<InternalRow>, Iterator<Tuple2<Integer, Block>>> {
        private final int n;
        private final boolean weighted;
        private final boolean margins;
        private final int workers;

        ToBlocks(int n, boolean weighted, boolean margins, int workers) {
            this.n = n;
            this.weighted = weighted;
            this.margins = margins;
            this.workers = workers;
        }

        @Override
        public Iterator<Tuple2<Integer, Block>> call(Integer partition, Iterator<InternalRow> it) {
            List<Tuple2<Integer, Block>> out = new ArrayList<>();
            while (it.hasNext()) {
                float[] data = new float[BLOCK_ROWS * n];
                float[] labels = new float[BLOCK_ROWS];
                float[] weights = weighted ? new float[BLOCK_ROWS] : null;
                float[] margin = margins ? new float[BLOCK_ROWS] : null;
                int r = 0;
                while (r < BLOCK_ROWS && it.hasNext()) {
                    InternalRow row = it.next();
                    labels[r] = (float) row.getDouble(0);
                    fill(row.getStruct(1, 4), data, r * n);
                    int c = 2;
                    if (weighted) weights[r] = (float) row.getDouble(c++);
                    if (margins) margin[r] = (float) row.getDouble(c);
                    r++;
                }
                if (r < BLOCK_ROWS) {
                    data = Arrays.copyOf(data, r * n);
                    labels = Arrays.copyOf(labels, r);
                    if (weighted) weights = Arrays.copyOf(weights, r);
                    if (margins) margin = Arrays.copyOf(margin, r);
                }
                out.add(new Tuple2<>((partition + out.size()) % workers, new Block(r, data, labels, weights, margin)));
            }
            return out.iterator();
        }

        /**
         * One Spark ML vector (struct type, size, indices, values; type 1 is dense) into {@code n} floats.
         * Entries a sparse vector leaves out are missing (NaN), as XGBoost4J-Spark reads them.
         */
        private void fill(InternalRow vector, float[] data, int offset) {
            ArrayData values = vector.getArray(3);
            if (vector.getByte(0) == 1) {
                if (values.numElements() != n) {
                    throw new IllegalStateException("feature vector has " + values.numElements() + " values, the model expects " + n);
                }
                for (int j = 0; j < n; j++) data[offset + j] = (float) values.getDouble(j);
                return;
            }
            Arrays.fill(data, offset, offset + n, Float.NaN);
            ArrayData indices = vector.getArray(2);
            for (int k = 0; k < indices.numElements(); k++) data[offset + indices.getInt(k)] = (float) values.getDouble(k);
        }
    }

    /** The blocks of one worker as one matrix's arrays. */
    record Matrix(int rows, float[] data, float[] labels, float[] weights, float[] margins) {
        /** Copies {@code blocks} (a mutable list, emptied as it goes) into one matrix. */
        static Matrix of(List<Block> blocks, int n) {
            int rows = blocks.stream().mapToInt(b -> b.rows).sum();
            boolean weighted = !blocks.isEmpty() && blocks.get(0).weights != null;
            boolean margins = !blocks.isEmpty() && blocks.get(0).margins != null;
            float[] data = new float[rows * n];
            float[] labels = new float[rows];
            float[] weights = weighted ? new float[rows] : null;
            float[] margin = margins ? new float[rows] : null;
            int at = 0;
            for (int i = 0; i < blocks.size(); i++) {
                Block b = blocks.get(i);
                blocks.set(i, null); // let each block go once copied: peak memory one block over the matrix
                System.arraycopy(b.data, 0, data, at * n, b.rows * n);
                System.arraycopy(b.labels, 0, labels, at, b.rows);
                if (weighted) System.arraycopy(b.weights, 0, weights, at, b.rows);
                if (margins) System.arraycopy(b.margins, 0, margin, at, b.rows);
                at += b.rows;
            }
            return new Matrix(rows, data, labels, weights, margin);
        }
    }
}
