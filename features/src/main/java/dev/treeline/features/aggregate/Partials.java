package dev.treeline.features.aggregate;

import dev.treeline.features.spec.AggregateGroup;
import dev.treeline.features.spec.FeatureSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Per day and key, the partial state of every aggregate value: counts, sums, distinct-value sets,
 * latest (time, value) and extremes. Windows of any length are then combined from these without
 * reading rows again, which is what makes the nightly update cost one day.
 *
 * <p>Layout: one row per (day, group, key); columns {@code group}, every group's key columns (null in
 * other groups' rows) and {@code <group>__<value>__<part>}.
 */
public final class Partials {
    public static final String GROUP = "group";

    private Partials() {}

    static String col(AggregateGroup g, AggregateGroup.Value v, String part) {
        return g.name() + "__" + v.name() + "__" + part;
    }

    /** Partials of prepared rows (PII guarded, derived columns added), for the days they hold. */
    public static Dataset<Row> of(Dataset<Row> prepared, FeatureSpec spec, String dayColumn) {
        Dataset<Row> out = null;
        for (AggregateGroup g : spec.aggregates()) {
            List<Column> aggs = new ArrayList<>();
            for (AggregateGroup.Value v : g.values()) aggs.addAll(parts(g, v, spec.timeColumn()));
            List<Column> keys = new ArrayList<>();
            keys.add(functions.col(dayColumn));
            for (String k : g.keys()) keys.add(functions.col(k));
            Dataset<Row> one = prepared.groupBy(keys.toArray(Column[]::new))
                    .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new))
                    .withColumn(GROUP, functions.lit(g.name()));
            out = out == null ? one : out.unionByName(one, true);
        }
        return out;
    }

    private static List<Column> parts(AggregateGroup g, AggregateGroup.Value v, String time) {
        Column of = v.of() == null ? null : functions.expr(v.of());
        return switch (v.function()) {
            case count -> List.of((of == null ? functions.count(functions.lit(1)) : functions.count(of)).as(col(g, v, "c")));
            case sum -> List.of(functions.sum(of).as(col(g, v, "s")));
            case mean -> List.of(functions.sum(of).as(col(g, v, "s")), functions.count(of).as(col(g, v, "c")));
            case rate -> List.of(functions.sum(of.cast(DataTypes.IntegerType)).as(col(g, v, "s")), functions.count(of).as(col(g, v, "c")));
            case distinct_count -> List.of(functions.array_sort(functions.collect_set(of)).as(col(g, v, "set")));
            // The latest value by time; equal times are broken by the larger value, so the result never depends on row order.
            case last -> List.of(functions.max(functions.when(of.isNotNull(), functions.struct(functions.col(time).as("t"), of.as("v"))))
                    .as(col(g, v, "last")));
            case min -> List.of(functions.min(of).as(col(g, v, "min")));
            case max -> List.of(functions.max(of).as(col(g, v, "max")));
        };
    }
}
