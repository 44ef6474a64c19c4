package dev.treeline.pipelines.ingest.sources;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.ColumnType;
import dev.treeline.pipelines.spec.DatasetSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads Parquet, CSV and JSON Lines files with the declared schema. CSV files are matched to the schema
 * by header name (so reordered or extra columns are handled), records Spark cannot parse are kept with
 * a reason, and values that do not convert to the declared type are kept with a reason.
 */
public final class FileSource {
    static final String CORRUPT = "_corrupt_record";

    private FileSource() {}

    public static SourceRows read(SparkSession spark, DatasetSpec ds, SourceFiles files) {
        if (files.isEmpty()) throw new IllegalArgumentException("no files to read");
        List<String> warnings = new ArrayList<>();
        Dataset<Row> rows = switch (ds.format()) {
            case "csv" -> csv(spark, ds, files, warnings);
            case "jsonl" -> jsonl(spark, ds, files);
            case "parquet" -> parquet(spark, ds, files, warnings);
            default -> throw new IllegalArgumentException(ds.format() + " is not a file format");
        };
        return new SourceRows(rows, List.copyOf(ds.hasSchema() ? ds.schema().keySet() : columnsOf(rows)), warnings);
    }

    private static List<String> columnsOf(Dataset<Row> rows) {
        return Arrays.stream(rows.columns()).filter(c -> !c.startsWith("_")).toList();
    }

    // ---- CSV ----------------------------------------------------------------------------------

    private static Dataset<Row> csv(SparkSession spark, DatasetSpec ds, SourceFiles files, List<String> warnings) {
        CsvOptions o = CsvOptions.from(ds.options());
        int expected = ds.schema().size();
        Map<List<String>, List<String>> byHeader = new LinkedHashMap<>();
        if (o.header()) {
            Configuration conf = spark.sparkContext().hadoopConfiguration();
            for (String file : files.paths()) {
                List<String> header = header(file, o, conf);
                if (header == null) {
                    warnings.add("empty file " + file);
                    continue;
                }
                byHeader.computeIfAbsent(header, h -> new ArrayList<>()).add(file);
            }
        } else {
            byHeader.put(List.copyOf(ds.schema().keySet()), files.paths());
        }
        Dataset<Row> all = null;
        for (Map.Entry<List<String>, List<String>> group : byHeader.entrySet()) {
            List<String> header = group.getKey();
            List<String> missing = ds.schema().keySet().stream().filter(c -> !header.contains(c)).toList();
            if (!missing.isEmpty()) {
                throw TreelineException.data("source '" + ds.name() + "': " + group.getValue().get(0) + " has no column " + missing
                        + " (its header: " + header + "); fix the file or the schema in datasets." + ds.name());
            }
            List<String> extra = header.stream().filter(c -> !ds.schema().containsKey(c)).toList();
            if (!extra.isEmpty()) warnings.add(group.getValue().size() + " file(s) have columns not in the schema, ignored: " + extra);
            // Fast path: Spark parses and types the values; only records it rejects take the Java slow path.
            StructType typedSchema = new StructType();
            for (String h : header) {
                ColumnType t = ds.schema().get(h);
                typedSchema = typedSchema.add(h, t == null ? DataTypes.StringType : t.spark());
            }
            typedSchema = typedSchema.add(CORRUPT, DataTypes.StringType);
            Dataset<Row> read = spark.read().schema(typedSchema)
                    .option("header", o.header())
                    .option("sep", o.delimiter().equals("\\t") ? "\t" : o.delimiter())
                    .option("quote", o.quote())
                    .option("escape", o.escape())
                    .option("encoding", o.encoding())
                    .option("multiLine", o.multiline())
                    .option("maxCharsPerColumn", o.maxCharsPerValue())
                    .option("mode", "PERMISSIVE")
                    .option("columnNameOfCorruptRecord", CORRUPT)
                    .option("nullValue", o.nullValues().contains("") ? "" : "\u0000")
                    .option("timestampNTZFormat", o.timestampFormats().get(0))
                    .option("dateFormat", o.dateFormats().get(0))
                    .option("enforceSchema", true)
                    .csv(group.getValue().toArray(String[]::new));
            CsvSalvage salvage = new CsvSalvage(header, ds.schema(), o);
            Column fixed = functions.udf(salvage, salvage.resultType()).apply(functions.col(CORRUPT));
            Column corrupt = functions.col(CORRUPT).isNotNull();
            List<String> tokens = o.nullValues().stream().filter(v -> !v.isEmpty()).toList();
            // One projection. The reason reads only what the parser produced (the corrupt record, the columns as
            // parsed), never a typed output column, so filters on it stay linear to plan (see IngestStep#publish).
            List<Column> cols = new ArrayList<>();
            List<Column> texts = new ArrayList<>();
            List<Column> encodingReasons = new ArrayList<>();
            int i = 0;
            for (var e : ds.schema().entrySet()) {
                Column parsed = functions.col("`" + e.getKey() + "`");
                Column v = parsed;
                if (e.getValue() == ColumnType.STRING && !tokens.isEmpty()) {
                    v = functions.when(v.isin(tokens.toArray()), functions.lit(null).cast("string")).otherwise(v);
                }
                cols.add(functions.when(corrupt, fixed.getField("v" + i)).otherwise(v).as(e.getKey()));
                texts.add(functions.when(corrupt, fixed.getField("t" + i)).otherwise(v.cast("string")).as(e.getKey()));
                if (e.getValue() == ColumnType.STRING) encodingReasons.add(TypedColumns.encodingReason(parsed, e.getKey(), o.encoding()));
                i++;
            }
            Column reason = functions.when(corrupt, fixed.getField("reason")).otherwise(TypedColumns.joinReasons(encodingReasons));
            cols.add(SourceRows.raw(reason, texts));
            cols.add(functions.col(CORRUPT).as(SourceRows.RAW_RECORD));
            cols.add(functions.input_file_name().as(SourceRows.SOURCE));
            cols.add(reason.as(SourceRows.REASON));
            Dataset<Row> typed = read.select(cols.toArray(Column[]::new));
            all = all == null ? typed : all.unionByName(typed);
        }
        if (all == null) {
            // Only empty files: an empty frame with the layout.
            return TypedColumns.convert(emptyStrings(spark, ds), ds.schema(), TypedColumns.Formats.DEFAULT, null, null, null);
        }
        return all;
    }

    /** The header of a CSV file (decoded with the declared encoding), or null for an empty file. */
    static List<String> header(String file, CsvOptions o, Configuration conf) {
        Path p = new Path(file);
        try {
            FileSystem fs = p.getFileSystem(conf);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(p), Charset.forName(o.encoding())))) {
                String line = r.readLine();
                if (line == null) return null;
                if (line.startsWith("\uFEFF")) line = line.substring(1);
                List<String> names = new ArrayList<>();
                for (String field : splitHeader(line, o.delimiterChar(), o.quote().charAt(0))) names.add(field.trim());
                return names;
            }
        } catch (IOException e) {
            throw TreelineException.data("cannot read " + file + ": " + e.getMessage() + "; check the file and its permissions");
        }
    }

    static List<String> splitHeader(String line, char delimiter, char quote) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == quote) quoted = !quoted;
            else if (c == delimiter && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }

    // ---- JSON Lines ---------------------------------------------------------------------------

    private static Dataset<Row> jsonl(SparkSession spark, DatasetSpec ds, SourceFiles files) {
        StructType strings = new StructType();
        for (String c : ds.schema().keySet()) strings = strings.add(c, DataTypes.StringType);
        strings = strings.add(CORRUPT, DataTypes.StringType);
        CsvOptions o = CsvOptions.from(null);
        Dataset<Row> read = spark.read().schema(strings).option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
                .option("encoding", "UTF-8").json(files.paths().toArray(String[]::new));
        Column corruptReason = functions.when(functions.col(CORRUPT).isNotNull(), functions.lit("malformed JSON record"));
        return TypedColumns.convert(read, ds.schema(), new TypedColumns.Formats(List.of(), o.timestampFormats(), o.dateFormats(), true, "UTF-8"),
                corruptReason, functions.col(CORRUPT), functions.input_file_name());
    }

    // ---- Parquet ------------------------------------------------------------------------------

    private static Dataset<Row> parquet(SparkSession spark, DatasetSpec ds, SourceFiles files, List<String> warnings) {
        Dataset<Row> read = spark.read().parquet(files.paths().toArray(String[]::new));
        if (!ds.hasSchema()) {
            Map<String, ColumnType> asIs = new LinkedHashMap<>();
            for (var f : read.schema().fields()) {
                for (ColumnType t : ColumnType.values()) {
                    if (t.matches(f.dataType())) {
                        asIs.put(f.name(), t);
                        break;
                    }
                }
            }
            return TypedColumns.convert(read, asIs, TypedColumns.Formats.DEFAULT, null, null, functions.input_file_name());
        }
        List<String> present = List.of(read.columns());
        List<String> missing = ds.schema().keySet().stream().filter(c -> !present.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw TreelineException.data("source '" + ds.name() + "' (" + files.location() + ") has no column " + missing
                    + " (it has " + present + "); fix the data or the schema in datasets." + ds.name());
        }
        List<String> extra = present.stream().filter(c -> !ds.schema().containsKey(c)).toList();
        if (!extra.isEmpty()) warnings.add("columns not in the schema, ignored: " + extra);
        return TypedColumns.convert(read, ds.schema(), TypedColumns.Formats.DEFAULT, null, null, functions.input_file_name());
    }

    private static Dataset<Row> emptyStrings(SparkSession spark, DatasetSpec ds) {
        StructType strings = new StructType();
        for (String c : ds.schema().keySet()) strings = strings.add(c, DataTypes.StringType);
        return spark.createDataFrame(List.of(), strings);
    }
}
