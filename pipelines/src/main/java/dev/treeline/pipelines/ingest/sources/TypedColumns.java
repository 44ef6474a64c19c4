package dev.treeline.pipelines.ingest.sources;

import dev.treeline.pipelines.spec.ColumnType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Turns columns as read (text from CSV and JSON, whatever Parquet or a database holds) into the declared
 * types, keeping the value as read beside each and a readable reason for every value that does not
 * convert. Nothing is dropped: a row either converts entirely or carries a reason.
 */
public final class TypedColumns {
    private TypedColumns() {}

    /** Conversion settings: null tokens and the accepted timestamp and date formats. */
    public record Formats(List<String> nullValues, List<String> timestampFormats, List<String> dateFormats, boolean checkEncoding, String encoding) {
        public static final Formats DEFAULT = new Formats(List.of(), CsvOptions.DEFAULT_TIMESTAMP_FORMATS, CsvOptions.DEFAULT_DATE_FORMATS, false, "UTF-8");
    }

    /**
     * {@code raw} has the declared columns (any type) and may have {@code corruptReason} (a column of
     * reasons for records the reader could not parse, or null). Returns the {@link SourceRows} layout.
     */
    public static Dataset<Row> convert(Dataset<Row> raw, Map<String, ColumnType> schema, Formats formats, Column corruptReason, Column rawRecord, Column source) {
        List<Column> out = new ArrayList<>();
        List<Column> texts = new ArrayList<>();
        List<Column> reasons = new ArrayList<>();
        for (Map.Entry<String, ColumnType> e : schema.entrySet()) {
            String name = e.getKey();
            ColumnType type = e.getValue();
            DataType actual = raw.schema().apply(name).dataType();
            Column value = functions.col("`" + name + "`");
            Column text = actual.equals(DataTypes.StringType) ? value : value.cast("string");
            if (!formats.nullValues().isEmpty() && actual.equals(DataTypes.StringType)) {
                text = functions.when(text.isin(formats.nullValues().toArray()), functions.lit(null).cast("string")).otherwise(text);
            }
            Column typed;
            String expectation;
            if (type.matches(actual)) {
                typed = value.cast(type.spark());
                expectation = null;
            } else if (actual.equals(DataTypes.StringType) || !type.isNumeric()) {
                typed = parse(functions.trim(text), type, formats);
                expectation = expectation(type, formats);
            } else {
                // A number of another width or kind: convert through its text so fractions and overflow are caught.
                typed = parse(text, type, formats);
                expectation = expectation(type, formats);
            }
            out.add(typed.as(name));
            texts.add(text.as(name));
            if (expectation != null) {
                reasons.add(functions.when(text.isNotNull().and(typed.isNull()),
                        functions.concat(functions.lit(name + " = '"), abbreviate(text), functions.lit("' " + expectation))));
            }
            if (formats.checkEncoding() && actual.equals(DataTypes.StringType)) reasons.add(encodingReason(text, name, formats.encoding()));
        }
        Column joined = joinReasons(reasons);
        Column reason = corruptReason == null ? joined : functions.coalesce(corruptReason, joined);
        out.add(SourceRows.raw(reason, texts));
        out.add((rawRecord == null ? functions.lit(null).cast("string") : rawRecord).as(SourceRows.RAW_RECORD));
        out.add((source == null ? functions.lit(null).cast("string") : source).as(SourceRows.SOURCE));
        out.add(reason.as(SourceRows.REASON));
        return raw.select(out.toArray(Column[]::new));
    }

    /** Every reason that applies, joined by "; ", or null when none does: one expression, however many columns. */
    static Column joinReasons(List<Column> reasons) {
        if (reasons.isEmpty()) return functions.lit(null).cast("string");
        return functions.nullif(functions.concat_ws("; ", reasons.toArray(Column[]::new)), functions.lit(""));
    }

    /** A text value decoded with replacement characters: its bytes were not valid in the declared encoding. */
    static Column encodingReason(Column text, String name, String encoding) {
        return functions.when(text.contains(REPLACEMENT), functions.lit(encodingProblem(name, encoding)));
    }

    static String encodingProblem(String name, String encoding) {
        return name + " holds bytes that are not valid " + encoding;
    }

    static final String REPLACEMENT = "\uFFFD";

    static Column parse(Column text, ColumnType type, Formats formats) {
        return switch (type) {
            case STRING -> text;
            case TIMESTAMP -> functions.coalesce(formats.timestampFormats().stream()
                    .map(f -> functions.to_timestamp(text, f).cast(DataTypes.TimestampNTZType)).toArray(Column[]::new));
            case DATE -> functions.coalesce(formats.dateFormats().stream().map(f -> functions.to_date(text, f)).toArray(Column[]::new));
            case LONG, INT -> functions.when(text.rlike("^[+-]?[0-9]+$"), text.cast(type.spark()));
            default -> text.cast(type.spark());
        };
    }

    static String expectation(ColumnType type, Formats formats) {
        return switch (type) {
            case TIMESTAMP -> "matches none of the timestamp formats " + formats.timestampFormats();
            case DATE -> "matches none of the date formats " + formats.dateFormats();
            case LONG, INT -> "is not a whole number that fits a " + type.spelling();
            default -> "is not a " + type.spelling();
        };
    }

    /** Long values are cut in reasons (a 10 MB field must not become a 10 MB reason). */
    static Column abbreviate(Column text) {
        return functions.when(functions.length(text).gt(80), functions.concat(functions.substring(text, 1, 80), functions.lit("…")))
                .otherwise(text);
    }
}
