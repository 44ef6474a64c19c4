package dev.treeline.training.train;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;

/**
 * A seeded random fraction of rows set aside for early stopping, stratified by class for classifiers.
 * Rows are spread over 64 random buckets per class and the exact fraction is taken in each bucket
 * (rounded), so every class is within 32 rows of its exact share while no single task sorts a class.
 */
final class ValidationSplit {
    static final String FLAG = "__validation";
    static final int BUCKETS = 64;

    private ValidationSplit() {}

    /** {@code rows} with a boolean {@link #FLAG} column: true for the validation rows. */
    static Dataset<Row> mark(Dataset<Row> rows, String labelCol, double fraction, long seed, boolean stratify) {
        Dataset<Row> keyed = rows.withColumn("__u", functions.rand(seed)).withColumn("__v", functions.rand(seed + 1));
        Column bucket = functions.floor(functions.col("__u").multiply(BUCKETS));
        WindowSpec w = (stratify ? Window.partitionBy(functions.col(labelCol), bucket) : Window.partitionBy(bucket)).orderBy(functions.col("__v"));
        WindowSpec all = stratify ? Window.partitionBy(functions.col(labelCol), bucket) : Window.partitionBy(bucket);
        Column take = functions.round(functions.count(functions.lit(1)).over(all).multiply(fraction));
        return keyed.withColumn(FLAG, functions.row_number().over(w).leq(take)).drop("__u", "__v");
    }
}
