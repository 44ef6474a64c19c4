package dev.treeline.training.evaluate;

import dev.treeline.pipelines.format.SliceMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Holdout metrics per value of a segment column, for the most frequent values. Binary models: rows,
 * positive rate, log loss and AUC (over 1,000 score bins, within about 0.001 of the exact value).
 * Regression: rows, mean label, RMSE, MAE. Multiclass: rows, accuracy, multiclass log loss.
 */
final class Slices {
    private Slices() {}

    static Map<String, List<SliceMetrics>> regression(Dataset<Row> scored, List<String> columns, String labelCol, String scoreCol) {
        Column err = functions.col(scoreCol).minus(functions.col(labelCol));
        return perValue(scored, columns, List.of(functions.avg(functions.col(labelCol)), functions.sqrt(functions.avg(functions.pow(err, 2))),
                functions.avg(functions.abs(err))), (value, rows, r) -> new SliceMetrics(value, rows, null, null, null, r.getDouble(2),
                r.getDouble(3), r.getDouble(4), null, null));
    }

    static Map<String, List<SliceMetrics>> multiclass(Dataset<Row> scored, List<String> columns, String labelCol, String predictedCol,
                                                      String probabilitiesCol) {
        Column correct = functions.when(functions.col(predictedCol).equalTo(functions.col(labelCol)), 1.0).otherwise(0.0);
        return perValue(scored, columns, List.of(functions.avg(correct), functions.avg(TaskMetrics.multiclassLoss(labelCol, probabilitiesCol))),
                (value, rows, r) -> new SliceMetrics(value, rows, null, null, null, null, null, null, r.getDouble(2), r.getDouble(3)));
    }

    private interface FromRow {
        SliceMetrics of(String value, long rows, Row aggregates);
    }

    /** Per column, the {@link #TOP_VALUES} most frequent values with {@code aggregates} (from index 2 of the row). */
    private static Map<String, List<SliceMetrics>> perValue(Dataset<Row> scored, List<String> columns, List<Column> aggregates, FromRow make) {
        Map<String, List<SliceMetrics>> out = new LinkedHashMap<>();
        for (String column : columns) {
            var value = functions.coalesce(functions.col(column).cast("string"), functions.lit("(null)")).as("value");
            List<SliceMetrics> list = new ArrayList<>();
            for (Row r : scored.groupBy(value).agg(functions.count(functions.lit(1)).as("rows"), aggregates.toArray(Column[]::new))
                    .orderBy(functions.desc("rows"), functions.asc("value")).limit(TOP_VALUES).collectAsList()) {
                list.add(make.of(r.getString(0), r.getLong(1), r));
            }
            out.put(column, list);
        }
        return out;
    }

    static final int TOP_VALUES = 20;
    static final int BINS = 1000;

    static Map<String, List<SliceMetrics>> of(Dataset<Row> scored, List<String> columns, String labelCol, String scoreCol) {
        Map<String, List<SliceMetrics>> out = new LinkedHashMap<>();
        for (String column : columns) {
            var value = functions.coalesce(functions.col(column).cast("string"), functions.lit("(null)")).as("value");
            Dataset<Row> withValue = scored.select(value, functions.col(labelCol), functions.col(scoreCol));
            List<Row> top = withValue.groupBy("value").agg(functions.count(functions.lit(1)).as("rows"),
                            functions.avg(functions.col(labelCol)), functions.avg(BinaryMetrics.logLoss(labelCol, scoreCol)))
                    .orderBy(functions.desc("rows"), functions.asc("value")).limit(TOP_VALUES).collectAsList();
            List<String> values = top.stream().map(r -> r.getString(0)).toList();
            Map<String, long[][]> bins = new HashMap<>();
            for (Row r : withValue.where(functions.col("value").isin(values.toArray())).groupBy(functions.col("value"), ScoreBins.bin(scoreCol, BINS))
                    .agg(functions.sum(functions.col(labelCol)), functions.count(functions.lit(1))).collectAsList()) {
                long[][] pn = bins.computeIfAbsent(r.getString(0), k -> new long[2][BINS]);
                long pos = Math.round(((Number) r.get(2)).doubleValue());
                pn[0][r.getInt(1)] = pos;
                pn[1][r.getInt(1)] = r.getLong(3) - pos;
            }
            List<SliceMetrics> list = new ArrayList<>();
            for (Row r : top) {
                long[][] pn = bins.get(r.getString(0));
                list.add(SliceMetrics.binary(r.getString(0), r.getLong(1), r.getDouble(2), pn == null ? Double.NaN : ScoreBins.auc(pn[0], pn[1]), r.getDouble(3)));
            }
            out.put(column, list);
        }
        return out;
    }
}
