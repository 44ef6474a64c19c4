package dev.treeline.pipelines.ingest.sources;

import dev.treeline.pipelines.spec.ColumnType;
import java.io.Serializable;
import java.sql.Date;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The slow path for the CSV records Spark's parser rejects: parses the raw record in Java, tries every
 * declared timestamp and date format and null token, and returns either typed values (the record was
 * fine after all, e.g. a second timestamp format) or a reason naming the field and value.
 */
final class CsvSalvage implements UDF1<String, Row>, Serializable {
    private final List<String> header;
    private final List<String> declared;
    private final List<ColumnType> types;
    private final List<String> nullValues;
    private final List<String> timestampFormats;
    private final List<String> dateFormats;
    private final char delimiter;
    private final char quote;
    private final char escape;
    private final String encoding;
    private transient List<DateTimeFormatter> ts;
    private transient List<DateTimeFormatter> ds;

    CsvSalvage(List<String> header, Map<String, ColumnType> schema, CsvOptions o) {
        this.header = List.copyOf(header);
        this.declared = List.copyOf(schema.keySet());
        this.types = List.copyOf(schema.values());
        this.nullValues = List.copyOf(o.nullValues());
        this.timestampFormats = List.copyOf(o.timestampFormats());
        this.dateFormats = List.copyOf(o.dateFormats());
        this.delimiter = o.delimiterChar();
        this.quote = o.quote().charAt(0);
        this.escape = o.escape().charAt(0);
        this.encoding = o.encoding();
    }

    /** values (declared types), raw texts, reason. */
    StructType resultType() {
        List<StructField> fields = new ArrayList<>();
        for (int i = 0; i < declared.size(); i++) fields.add(DataTypes.createStructField("v" + i, types.get(i).spark(), true));
        for (int i = 0; i < declared.size(); i++) fields.add(DataTypes.createStructField("t" + i, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField("reason", DataTypes.StringType, true));
        return DataTypes.createStructType(fields);
    }

    @Override
    public Row call(String line) {
        Object[] out = new Object[declared.size() * 2 + 1];
        List<String> fields = split(line);
        if (fields == null) {
            out[out.length - 1] = "malformed CSV record: a quoted field is not closed";
            return RowFactory.create(out);
        }
        if (fields.size() != header.size()) {
            out[out.length - 1] = CsvLines.reason(line, header.size(), delimiter, quote, escape);
            return RowFactory.create(out);
        }
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < declared.size(); i++) {
            String text = fields.get(header.indexOf(declared.get(i)));
            out[declared.size() + i] = text;
            if (text == null || nullValues.contains(text)) continue;
            if (types.get(i) == ColumnType.STRING && text.contains(TypedColumns.REPLACEMENT)) {
                reasons.add(TypedColumns.encodingProblem(declared.get(i), encoding));
            }
            String t = text.trim();
            try {
                out[i] = switch (types.get(i)) {
                    case STRING -> text;
                    case LONG -> Long.parseLong(t);
                    case INT -> Integer.parseInt(t);
                    case DOUBLE -> Double.parseDouble(t);
                    case FLOAT -> Float.parseFloat(t);
                    case BOOLEAN -> parseBoolean(t);
                    case TIMESTAMP -> timestamp(t);
                    case DATE -> Date.valueOf(date(t));
                };
            } catch (RuntimeException e) {
                reasons.add(declared.get(i) + " = '" + abbreviate(text) + "' " + TypedColumns.expectation(types.get(i),
                        new TypedColumns.Formats(nullValues, timestampFormats, dateFormats, false, "")));
            }
        }
        if (!reasons.isEmpty()) out[out.length - 1] = String.join("; ", reasons);
        return RowFactory.create(out);
    }

    private LocalDateTime timestamp(String t) {
        if (ts == null) ts = timestampFormats.stream().map(DateTimeFormatter::ofPattern).toList();
        for (DateTimeFormatter f : ts) {
            try {
                return LocalDateTime.parse(t, f);
            } catch (DateTimeParseException ignored) {
                // next format
            }
        }
        throw new IllegalArgumentException(t);
    }

    private LocalDate date(String t) {
        if (ds == null) ds = dateFormats.stream().map(DateTimeFormatter::ofPattern).toList();
        for (DateTimeFormatter f : ds) {
            try {
                return LocalDate.parse(t, f);
            } catch (DateTimeParseException ignored) {
                // next format
            }
        }
        throw new IllegalArgumentException(t);
    }

    private static boolean parseBoolean(String t) {
        if (t.equalsIgnoreCase("true")) return true;
        if (t.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException(t);
    }

    /** Fields of a record, or null when a quoted field is not closed. */
    private List<String> split(String line) {
        if (CsvLines.fields(line, delimiter, quote, escape) < 0) return null;
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == escape && escape != quote && i + 1 < line.length()) cur.append(line.charAt(++i));
                else if (c == quote) {
                    if (i + 1 < line.length() && line.charAt(i + 1) == quote) cur.append(line.charAt(++i));
                    else quoted = false;
                } else cur.append(c);
            } else if (c == quote) {
                quoted = true;
            } else if (c == delimiter) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
