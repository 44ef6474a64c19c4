package dev.treeline.scoring;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The one definition of a row's identity for scoring: the declared id columns as text (so an id read as int
 * one day and long the next is the same id), and the A/B bucket derived from it. The score step routes by it
 * and the monitor step joins labels by it.
 */
public final class RowIds {
    /** Buckets per 100 %: a weight of 70 takes buckets 0..6999. */
    public static final int BUCKETS = 10_000;
    private static final String SEP = "\u001f";
    private static final String NULL = "\u0000";

    private RowIds() {}

    /** The id of each row: its id columns' text values joined (null kept distinct from the empty string). */
    public static Column key(List<String> idColumns) {
        Column[] parts = new Column[idColumns.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = functions.coalesce(functions.col("`" + idColumns.get(i) + "`").cast("string"), functions.lit(NULL));
        }
        return functions.concat_ws(SEP, parts);
    }

    /**
     * {@code rows} with {@code column} added: a 64-bit hash of every other column but the day (sorted by name), the
     * id of a row when none is declared. The score step writes it and the monitor step recomputes it on the labels.
     */
    public static Dataset<Row> withRowId(Dataset<Row> rows, String column, String dayColumn) {
        List<String> all = new ArrayList<>();
        for (String c : rows.columns()) if (!c.equals(dayColumn)) all.add(c);
        all.sort(null);
        return rows.withColumn(column, functions.xxhash64(key(all)));
    }

    /**
     * A row's bucket in [0, {@value #BUCKETS}): a 64-bit hash of the experiment and the id, so one id keeps its
     * variant for the whole experiment and each experiment splits independently of the last one.
     */
    public static Column bucket(Column key, String experiment) {
        return functions.pmod(functions.xxhash64(functions.lit(experiment == null ? "" : experiment), key), functions.lit((long) BUCKETS));
    }
}
