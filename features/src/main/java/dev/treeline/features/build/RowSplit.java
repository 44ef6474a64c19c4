package dev.treeline.features.build;

import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.spec.SplitSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;

/**
 * The one definition of a row split ({@code split:} of a pipeline), shared by the features step that writes
 * the snapshot's {@code split} column and the evaluate step that picks the same validation and holdout rows
 * out of the validated table again. A row's place depends only on its values (a hash of its key columns, of
 * its group, or its rank by that hash within its class), never on row order or partitioning, so reruns and
 * the two steps agree.
 */
public final class RowSplit {
    /** The column {@link #assign} adds: train, validation or holdout. */
    public static final String COLUMN = "__treeline_split";
    /** The cross-validation fold of a non-holdout row (0 .. folds-1), when the split has folds. */
    public static final String FOLD = "__treeline_fold";
    private static final String LABEL = "__treeline_split_label";
    private static final long BUCKETS = 1_000_000L;

    private RowSplit() {}

    /**
     * {@code rows} (a table's columns as read, with its day column) plus {@link #COLUMN}, and {@link #FOLD} when
     * the split has folds. {@code labelExpr} is the feature spec's label expression: a stratified split ranks
     * rows within each of its values. With a holdout dataset the table's rows are train or validation only.
     */
    public static Dataset<Row> assign(Dataset<Row> rows, SplitSpec split, String labelExpr, String dayColumn) {
        Column hash = hash(rows, split, dayColumn);
        double holdout = split.holdoutDataset() != null ? 0.0 : split.holdout();
        Dataset<Row> keyed;
        Column position;
        if (split.stratified()) {
            // The rank by hash within the class, as a fraction: every class gets its exact share (to a row).
            keyed = rows.withColumn(LABEL, functions.expr(labelExpr).cast("double")).withColumn("__h", hash);
            WindowSpec byClass = Window.partitionBy(functions.col(LABEL));
            Column rank = functions.row_number().over(byClass.orderBy(functions.col("__h"))).minus(1);
            keyed = keyed.withColumn("__r", rank).withColumn("__n", functions.count(functions.lit(1)).over(byClass));
            position = functions.col("__r").plus(0.5).divide(functions.col("__n"));
        } else {
            keyed = rows.withColumn("__h", hash);
            position = functions.pmod(functions.col("__h"), functions.lit(BUCKETS)).divide((double) BUCKETS);
        }
        keyed = keyed.withColumn("__p", position);
        Column p = functions.col("__p");
        Dataset<Row> out = keyed.withColumn(COLUMN, functions.when(p.lt(holdout), DateWindow.HOLDOUT)
                .when(p.lt(holdout + split.validation()), DateWindow.VALIDATION).otherwise(DateWindow.TRAIN));
        if (split.folds() > 0) {
            // Folds cut the non-holdout rows in the same order: each fold is a stratified (or random) share too.
            Column rest = p.minus(holdout).divide(1.0 - holdout);
            out = out.withColumn(FOLD, functions.when(p.geq(holdout),
                    functions.least(functions.floor(rest.multiply(split.folds())), functions.lit(split.folds() - 1)).cast("int")));
        }
        return out.drop("__h", "__r", "__n", "__p", LABEL);
    }

    /** The rows of the holdout dataset, marked as holdout (no fold). */
    public static Dataset<Row> holdoutRows(Dataset<Row> rows, SplitSpec split) {
        Dataset<Row> out = rows.withColumn(COLUMN, functions.lit(DateWindow.HOLDOUT));
        return split.folds() > 0 ? out.withColumn(FOLD, functions.lit(null).cast("int")) : out;
    }

    /** The split's hash: of the key columns (default every column but the day), or of the group column. */
    static Column hash(Dataset<Row> rows, SplitSpec split, String dayColumn) {
        List<Column> cols = new ArrayList<>();
        cols.add(functions.lit("treeline-split"));
        cols.add(functions.lit(split.seed()));
        if (split.groupColumn() != null) {
            cols.add(functions.col("`" + split.groupColumn() + "`").cast("string"));
        } else if (!split.key().isEmpty()) {
            for (String k : split.key()) cols.add(functions.col("`" + k + "`"));
        } else {
            for (String c : rows.columns()) if (!c.equals(dayColumn) && !c.startsWith("__treeline")) cols.add(functions.col("`" + c + "`"));
        }
        return functions.xxhash64(cols.toArray(Column[]::new));
    }
}
