package dev.treeline.pipelines.ingest.sources;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a source read returns: the declared columns, typed, plus {@code _raw} (for a row the source
 * rejected, a struct of every declared column's value as read, as text; null for the others, so the
 * texts cost nothing for good rows), {@code _raw_record} (the whole record when it could not be parsed),
 * {@code _source} (file or table) and {@code _reject_reason} (null for a good row). Warnings are for the
 * step summary.
 */
public record SourceRows(Dataset<Row> rows, List<String> columns, List<String> warnings) {
    public static final String RAW = "_raw";
    public static final String RAW_RECORD = "_raw_record";
    public static final String SOURCE = "_source";
    public static final String REASON = "_reject_reason";

    /**
     * {@code texts} (a struct of the declared columns' values as read) where {@code reason} says the row is
     * rejected, else null: the {@link #RAW} column.
     */
    public static Column raw(Column reason, List<Column> texts) {
        return org.apache.spark.sql.functions.when(reason.isNotNull(), org.apache.spark.sql.functions.struct(texts.toArray(Column[]::new)))
                .as(RAW);
    }

    /** A column's value as read, for a rejected row: from {@link #RAW} when the source rejected it, else the value as typed. */
    public static Column rawText(String column) {
        return org.apache.spark.sql.functions.coalesce(org.apache.spark.sql.functions.col(RAW).getField(column),
                org.apache.spark.sql.functions.col("`" + column + "`").cast("string"));
    }
}
