package dev.treeline.features.validate;

import dev.treeline.pipelines.spec.ColumnType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * The contract's per-row rules as Spark columns. {@link #apply} adds {@code _rule} (the first failing
 * rule) and {@code _reason} (every failing rule's reason) to each row; a row with a reason is rejected.
 */
final class RowChecks {
    static final String RULE = "_rule";
    static final String REASON = "_reason";

    private final List<RowRule> rules = new ArrayList<>();
    private final List<List<String>> unique;

    RowChecks(Contract contract) {
        this.unique = contract.unique();
        for (ColumnContract c : contract.columns().values()) {
            Column v = functions.col("`" + c.name() + "`");
            Column text = abbreviate(v.cast("string"));
            if (!c.nullable()) {
                rules.add(new RowRule(c.name() + ".not_null", c.name(), c.severity(), v.isNull(), functions.lit(c.name() + " is null")));
            }
            if (c.finite() && (c.type() == ColumnType.DOUBLE || c.type() == ColumnType.FLOAT)) {
                rules.add(new RowRule(c.name() + ".finite", c.name(), c.severity(),
                        functions.isnan(v).or(v.equalTo(Double.POSITIVE_INFINITY)).or(v.equalTo(Double.NEGATIVE_INFINITY)),
                        functions.concat(functions.lit(c.name() + " is "), text, functions.lit(", not a finite number"))));
            }
            if (c.min() != null) {
                rules.add(new RowRule(c.name() + ".min", c.name(), c.severity(), v.lt(c.min()),
                        functions.concat(functions.lit(c.name() + " = "), text, functions.lit(" is below " + fmt(c.min())))));
            }
            if (c.max() != null) {
                rules.add(new RowRule(c.name() + ".max", c.name(), c.severity(), v.gt(c.max()),
                        functions.concat(functions.lit(c.name() + " = "), text, functions.lit(" is above " + fmt(c.max())))));
            }
            if (c.allowed() != null) {
                rules.add(new RowRule(c.name() + ".allowed", c.name(), c.severity(), v.isNotNull().and(functions.not(v.cast("string").isin(c.allowed().toArray()))),
                        functions.concat(functions.lit(c.name() + " = '"), text, functions.lit("' is not one of " + c.allowed()))));
            }
            if (c.pattern() != null) {
                rules.add(new RowRule(c.name() + ".pattern", c.name(), c.severity(), functions.not(v.cast("string").rlike(c.pattern())),
                        functions.concat(functions.lit(c.name() + " = '"), text, functions.lit("' does not match " + c.pattern()))));
            }
        }
    }

    List<RowRule> rules() {
        return rules;
    }

    /** Adds {@code _dup_<i>} flags for uniqueness keys, then {@code _rule} and {@code _reason}. */
    Dataset<Row> apply(Dataset<Row> rows) {
        Dataset<Row> out = rows;
        List<RowRule> all = new ArrayList<>(rules);
        for (int i = 0; i < unique.size(); i++) {
            List<String> key = unique.get(i);
            Column[] keyCols = key.stream().map(k -> functions.col("`" + k + "`")).toArray(Column[]::new);
            // Keep the first row of a key (in a fixed order), reject the others.
            Column[] order = Arrays.stream(rows.columns()).map(c -> functions.col("`" + c + "`")).toArray(Column[]::new);
            String flag = "_dup_" + i;
            out = out.withColumn(flag, functions.row_number().over(Window.partitionBy(keyCols).orderBy(order)).gt(1));
            all.add(new RowRule("unique(" + String.join(",", key) + ")", String.join(",", key), Severity.FAIL, functions.col(flag),
                    functions.concat(functions.lit("duplicate of key " + key + " = "),
                            functions.concat_ws(",", Arrays.stream(keyCols).map(c -> c.cast("string")).toArray(Column[]::new)))));
        }
        List<Column> reasons = new ArrayList<>();
        List<Column> ids = new ArrayList<>();
        for (RowRule r : all) {
            if (r.severity() != Severity.FAIL) continue;
            Column broken = functions.coalesce(r.broken(), functions.lit(false));
            reasons.add(functions.when(broken, r.reason()));
            ids.add(functions.when(broken, functions.lit(r.id())));
        }
        Column reason = reasons.isEmpty() ? functions.lit(null).cast("string")
                : functions.when(functions.concat_ws("; ", reasons.toArray(Column[]::new)).notEqual(""),
                functions.concat_ws("; ", reasons.toArray(Column[]::new)));
        Column rule = ids.isEmpty() ? functions.lit(null).cast("string") : functions.coalesce(ids.toArray(Column[]::new));
        out = out.withColumn(REASON, reason).withColumn(RULE, rule);
        for (int i = 0; i < unique.size(); i++) out = out.drop("_dup_" + i);
        return out;
    }

    /** The uniqueness rules as RowRules over the flag columns (only valid on rows before the flags are dropped). */
    List<String> uniqueIds() {
        return unique.stream().map(k -> "unique(" + String.join(",", k) + ")").toList();
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    static Column abbreviate(Column text) {
        return functions.when(functions.length(text).gt(60), functions.concat(functions.substring(text, 1, 60), functions.lit("…"))).otherwise(text);
    }
}
