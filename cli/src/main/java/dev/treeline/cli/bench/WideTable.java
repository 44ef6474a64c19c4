package dev.treeline.cli.bench;

import dev.treeline.pipelines.spec.ColumnType;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A generated table of any width, for the shapes users bring rather than the flights: {@code id},
 * {@code event_time}, a binary {@code label} the other columns predict, then {@code n - 3} columns
 * cycling through strings with few categories, longs, doubles, booleans, dates and long free text
 * (quoted commas included), each about 8% null. Written as CSV or JSON Lines, every
 * {@value #BAD_EVERY}th row carries {@code "n/a"} in the first long column: a value that cannot be read.
 * Values are hashes of the row id, so the same arguments give the same files.
 */
public final class WideTable {
    public static final int BAD_EVERY = 997;
    static final List<ColumnType> CYCLE = List.of(ColumnType.STRING, ColumnType.LONG, ColumnType.DOUBLE, ColumnType.BOOLEAN,
            ColumnType.DATE, ColumnType.STRING);

    private final int width;
    private final long rows;
    private final LocalDate start;
    private final int days;

    /** {@code width} columns in all (at least 8), {@code rows} rows over {@code days} days from {@code start}. */
    public WideTable(int width, long rows, LocalDate start, int days) {
        if (width < 8) throw new IllegalArgumentException("a wide table has at least 8 columns, got " + width);
        this.width = width;
        this.rows = rows;
        this.start = start;
        this.days = days;
    }

    public long rows() {
        return rows;
    }

    /** Rows with {@code "n/a"} in the first long column, in a text format. */
    public long badRows() {
        return (rows + BAD_EVERY - 1) / BAD_EVERY;
    }

    /** Name and type of every column, in order. */
    public Map<String, ColumnType> schema() {
        Map<String, ColumnType> out = new LinkedHashMap<>();
        out.put("id", ColumnType.LONG);
        out.put("event_time", ColumnType.TIMESTAMP);
        out.put("label", ColumnType.LONG);
        for (int i = 0; i < width - 3; i++) out.put(name(i), type(i));
        return out;
    }

    /** The generated columns of one type (not id, event_time or label). */
    public List<String> columns(ColumnType type) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < width - 3; i++) if (type(i) == type) out.add(name(i));
        return out;
    }

    /** The first long column: where text formats carry the unreadable values. */
    public String badColumn() {
        return columns(ColumnType.LONG).get(0);
    }

    /** Whether generated column {@code i} is free text (the second string of each cycle) rather than a category. */
    static boolean freeText(int i) {
        return i % CYCLE.size() == CYCLE.size() - 1;
    }

    static ColumnType type(int i) {
        return CYCLE.get(i % CYCLE.size());
    }

    static String name(int i) {
        return String.format("%s_%04d", type(i) == ColumnType.STRING && freeText(i) ? "text" : type(i).spelling(), i);
    }

    /** The table with its declared types. */
    public Dataset<Row> frame(SparkSession spark) {
        Column id = functions.col("id");
        List<Column> cols = new ArrayList<>();
        cols.add(id);
        long seconds = days * 86_400L;
        cols.add(functions.timestamp_seconds(functions.lit(start.toEpochDay() * 86_400L).plus(functions.pmod(hash(id, -1), functions.lit(seconds))))
                .cast("timestamp_ntz").as("event_time"));
        for (int i = 0; i < width - 3; i++) cols.add(value(id, i).as(name(i)));
        Dataset<Row> typed = spark.range(rows).select(cols.toArray(Column[]::new));
        // The label: the first two doubles and the first category, plus noise, so a model has something to learn.
        List<String> doubles = columns(ColumnType.DOUBLE);
        Column signal = functions.coalesce(functions.col(doubles.get(0)), functions.lit(0.5))
                .plus(functions.coalesce(functions.col(doubles.get(Math.min(1, doubles.size() - 1))), functions.lit(0.5)))
                .plus(functions.when(functions.col(columns(ColumnType.STRING).get(0)).equalTo("cat_3"), 0.6).otherwise(0.0))
                .plus(functions.pmod(hash(id, -2), functions.lit(1000)).divide(1000.0).multiply(0.8));
        Column label = functions.when(signal.gt(1.5), 1L).otherwise(0L).as("label");
        List<Column> ordered = new ArrayList<>(List.of(functions.col("id"), functions.col("event_time"), label));
        for (int i = 0; i < width - 3; i++) ordered.add(functions.col(name(i)));
        return typed.select(ordered.toArray(Column[]::new));
    }

    private static Column hash(Column id, int i) {
        return functions.xxhash64(id, functions.lit(i));
    }

    private Column value(Column id, int i) {
        Column h = functions.pmod(hash(id, i), functions.lit(1_000_003L));
        Column v = switch (type(i)) {
            case STRING -> freeText(i)
                    ? functions.concat(functions.lit("note, with commas and \"quotes\" "), h.cast("string"), functions.lit(" "),
                    functions.call_function("repeat", functions.lit("lorem ipsum "), functions.pmod(h, functions.lit(20)).cast("int")))
                    : functions.concat(functions.lit("cat_"), functions.pmod(h, functions.lit(7 + i % 40)).cast("string"));
            case LONG -> h.minus(500_000L);
            case DOUBLE -> h.divide(1_000_003.0);
            case BOOLEAN -> functions.pmod(h, functions.lit(2)).equalTo(1);
            case DATE -> functions.date_add(functions.lit(Date.valueOf(start)), functions.pmod(h, functions.lit(365)).cast("int"));
            default -> throw new IllegalStateException(type(i).toString());
        };
        // About 8% nulls, a different 8% in each column.
        return functions.when(functions.pmod(hash(id, 10_000 + i), functions.lit(100)).lt(8), functions.lit(null)).otherwise(v);
    }

    /**
     * Writes the table as {@code format} (csv, jsonl or parquet) into {@code dir}, in {@code files} files.
     * Text formats carry the unreadable values; Parquet keeps the declared types (nothing to misread).
     */
    public void write(SparkSession spark, String format, Path dir, int files) {
        Dataset<Row> frame = frame(spark);
        if (!format.equals("parquet")) {
            Column bad = functions.pmod(functions.col("id"), functions.lit(BAD_EVERY)).equalTo(0);
            String col = badColumn();
            frame = frame.withColumn(col, functions.when(bad, functions.lit("n/a")).otherwise(functions.col(col).cast("string")));
        }
        var writer = frame.repartition(files).write().mode(SaveMode.Overwrite);
        switch (format) {
            case "csv" -> writer.option("header", true).option("timestampNTZFormat", "yyyy-MM-dd HH:mm:ss").option("dateFormat", "yyyy-MM-dd")
                    .csv(dir.toString());
            case "jsonl" -> writer.option("timestampNTZFormat", "yyyy-MM-dd HH:mm:ss").option("dateFormat", "yyyy-MM-dd").json(dir.toString());
            case "parquet" -> writer.parquet(dir.toString());
            default -> throw new IllegalArgumentException(format + " is not csv, jsonl or parquet");
        }
    }

    /** The {@code schema:} block of a dataset spec (YAML flow mapping). */
    public String schemaYaml() {
        List<String> entries = new ArrayList<>();
        schema().forEach((name, type) -> entries.add(name + ": " + type.spelling()));
        return "{" + String.join(", ", entries) + "}";
    }

    /**
     * A data contract for the table: every column's type and nullability, ranges on the numbers and
     * a pattern on the categories, so validation applies a rule to every column.
     */
    public String contractYaml() {
        StringBuilder b = new StringBuilder("description: generated wide table\ncolumns:\n");
        schema().forEach((name, type) -> {
            b.append("  ").append(name).append(": {type: ").append(type.spelling());
            if (List.of("id", "event_time", "label").contains(name)) b.append(", nullable: false");
            if (type == ColumnType.LONG && !name.equals("label") && !name.equals("id")) b.append(", min: -500000, max: 600000");
            if (type == ColumnType.DOUBLE) b.append(", min: 0, max: 1");
            if (type == ColumnType.STRING && name.startsWith("string_")) b.append(", pattern: \"^cat_[0-9]+$\"");
            b.append("}\n");
        });
        b.append("rows: {min: 1}\nmax_reject_ratio: 0.01\n");
        return b.toString();
    }
}
