package dev.treeline.pipelines.ingest.sources;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a source read returns: the declared columns, typed, plus {@code _raw_<column>} (the value as
 * read, as text), {@code _raw_record} (the whole record when it could not be parsed), {@code _source}
 * (file or table) and {@code _reject_reason} (null for a good row). Warnings are for the step summary.
 */
public record SourceRows(Dataset<Row> rows, List<String> columns, List<String> warnings) {
    public static final String RAW_PREFIX = "_raw_";
    public static final String RAW_RECORD = "_raw_record";
    public static final String SOURCE = "_source";
    public static final String REASON = "_reject_reason";
}
