package dev.treeline.features.validate;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.ColumnType;
import dev.treeline.pipelines.util.Messages;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Drafts a contract from a sample: what the data shows, as a starting point a person edits. Types are
 * inferred here (for a draft only; ingestion always reads with the declared schema).
 */
public final class ContractDraft {
    static final int MAX_ALLOWED = 20;

    private ContractDraft() {}

    public static String infer(SparkSession spark, String path, String format, int sampleRows) {
        Dataset<Row> rows;
        try {
            rows = switch (format) {
                case "csv" -> spark.read().option("header", true).option("inferSchema", true).option("timestampNTZFormat", "yyyy-MM-dd HH:mm:ss").csv(path);
                case "jsonl" -> spark.read().json(path);
                case "parquet" -> spark.read().parquet(path);
                default -> throw TreelineException.data("--format must be parquet, csv or jsonl, not " + format);
            };
        } catch (Exception e) {
            if (e instanceof TreelineException te) throw te;
            throw TreelineException.data("cannot read " + path + " as " + format + ": " + Messages.firstLine(e.getMessage()) + "; check the path and --format");
        }
        Dataset<Row> sample = rows.limit(sampleRows).cache();
        long n = sample.count();
        if (n == 0) throw TreelineException.data(path + " has no rows to learn from");
        StringBuilder y = new StringBuilder();
        y.append("# Draft contract, inferred from ").append(String.format(Locale.ROOT, "%,d", n)).append(" rows of ").append(path)
                .append(" on ").append(Instant.now()).append(".\n# Review every rule: the draft describes this sample, not what the data must be.\n");
        y.append("columns:\n");
        String time = null;
        List<String> driftNumeric = new ArrayList<>();
        List<String> driftCategorical = new ArrayList<>();
        for (StructField f : sample.schema().fields()) {
            ColumnType type = typeOf(f.dataType());
            if (type == null) {
                y.append("  # ").append(f.name()).append(": ").append(f.dataType().simpleString()).append(" has no contract type; left out\n");
                continue;
            }
            Column c = functions.col("`" + f.name() + "`");
            Row s = sample.agg(functions.sum(functions.when(c.isNull(), 1).otherwise(0)), functions.min(c).cast("string"), functions.max(c).cast("string"),
                    functions.approx_count_distinct(c)).first();
            long nulls = s.isNullAt(0) ? 0 : s.getLong(0);
            StringBuilder col = new StringBuilder("{type: " + type.spelling() + ", nullable: " + (nulls > 0));
            if (type.isNumeric() && !s.isNullAt(1)) col.append(", min: ").append(number(s.getString(1))).append(", max: ").append(number(s.getString(2)));
            if (type == ColumnType.STRING) {
                long distinct = s.getLong(3);
                if (distinct <= MAX_ALLOWED) {
                    List<String> values = sample.select(c).where(c.isNotNull()).distinct().orderBy(c).as(Encoders.STRING()).collectAsList();
                    col.append(", allowed: [").append(String.join(", ", values.stream().map(ContractDraft::quote).toList())).append("]");
                } else {
                    String pattern = pattern(sample, c);
                    if (pattern != null) col.append(", pattern: \"").append(pattern).append("\"");
                }
                if (distinct <= 5000) driftCategorical.add(f.name());
            }
            if (type.isNumeric()) driftNumeric.add(f.name());
            if (nulls > 0) col.append(", max_null_ratio: ").append(String.format(Locale.ROOT, "%.4f", Math.min(1.0, 2.0 * nulls / n)));
            col.append("}");
            y.append("  ").append(f.name()).append(": ").append(col).append("\n");
            if (time == null && type == ColumnType.TIMESTAMP) time = f.name();
        }
        if (time != null) {
            List<Row> perDay = sample.groupBy(functions.to_date(functions.col("`" + time + "`"))).count().collectAsList();
            long min = perDay.stream().mapToLong(r -> r.getLong(1)).min().orElse(0);
            long max = perDay.stream().mapToLong(r -> r.getLong(1)).max().orElse(0);
            y.append("rows:   # per day of ").append(time).append(": the sample has ").append(min).append(" to ").append(max).append("\n");
            y.append("  min: ").append(min / 2).append("\n  max: ").append(max * 2).append("\n  max_change: 0.5\n");
            y.append("freshness:\n  column: ").append(time).append("\n  max_age_hours: 24\n");
        }
        if (!driftNumeric.isEmpty() || !driftCategorical.isEmpty()) {
            y.append("drift:\n  baseline_days: 28\n  columns:\n");
            for (String c : driftNumeric) y.append("    ").append(c).append(": {psi: {warn: 0.1, fail: 0.25}}\n");
            for (String c : driftCategorical) y.append("    ").append(c).append(": {psi: {warn: 0.1, fail: 0.25}, new_categories: {warn: 0.01, fail: 0.05}}\n");
        }
        y.append("max_reject_ratio: 0.01\n");
        sample.unpersist();
        return y.toString();
    }

    /** A shape every value has: fixed-length upper-case letters or digits. */
    private static String pattern(Dataset<Row> sample, Column c) {
        Row r = sample.agg(functions.min(functions.length(c)), functions.max(functions.length(c)),
                functions.sum(functions.when(c.rlike("^[A-Z]+$"), 0).otherwise(1)), functions.sum(functions.when(c.rlike("^[0-9]+$"), 0).otherwise(1)),
                functions.count(c)).first();
        if (r.isNullAt(0) || r.getInt(0) != r.getInt(1)) return null;
        int len = r.getInt(0);
        if (r.getLong(2) == 0) return "^[A-Z]{" + len + "}$";
        if (r.getLong(3) == 0) return "^[0-9]{" + len + "}$";
        return null;
    }

    static ColumnType typeOf(DataType t) {
        if (t.equals(DataTypes.TimestampType)) return ColumnType.TIMESTAMP;
        for (ColumnType c : ColumnType.values()) if (c.matches(t)) return c;
        return null;
    }

    private static String number(String v) {
        return v;
    }

    private static String quote(String v) {
        return v.matches("[A-Za-z0-9_.-]+") && !v.matches("(?i)true|false|yes|no|null|on|off|[0-9.]+") ? v : "\"" + v.replace("\"", "\\\"") + "\"";
    }
}
