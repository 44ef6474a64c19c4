package dev.treeline.features.aggregate;

import dev.treeline.features.spec.AggregateGroup;
import dev.treeline.features.spec.FeatureSpec;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Combines {@link Partials} into point-in-time values: for each key present on day D, every window w
 * covers days D-w .. D-1 (a range frame over day numbers ending the day before, so day D's own rows are
 * never in it). The same code serves a full rebuild and a one-day update: it is given the partials of
 * the days it needs and keeps the target days, so both give identical values.
 */
public final class AsOf {
    private static final String DAY_NUMBER = "__day_number";

    private AsOf() {}

    /** Partials of the days to combine must include, for each target day D, days D-maxWindow .. D. */
    public static Dataset<Row> of(Dataset<Row> partials, FeatureSpec spec, String dayColumn, Collection<LocalDate> targetDays) {
        Object[] targets = targetDays.stream().map(Date::valueOf).toArray();
        Dataset<Row> out = null;
        for (AggregateGroup g : spec.aggregates()) {
            Dataset<Row> p = partials.filter(functions.col(Partials.GROUP).equalTo(g.name()))
                    .withColumn(DAY_NUMBER, functions.datediff(functions.col(dayColumn), functions.lit(Date.valueOf("1970-01-01"))).cast(DataTypes.LongType));
            Column[] keys = g.keys().stream().map(functions::col).toArray(Column[]::new);
            List<Column> select = new ArrayList<>();
            select.add(functions.col(dayColumn));
            select.add(functions.col(Partials.GROUP));
            for (String k : g.keys()) select.add(functions.col(k));
            for (AggregateGroup.Value v : g.values()) {
                for (int w : g.windows()) {
                    WindowSpec frame = Window.partitionBy(keys).orderBy(DAY_NUMBER).rangeBetween(-w, -1);
                    select.add(value(g, v, frame).as(g.column(v, w)));
                }
            }
            Dataset<Row> one = p.select(select.toArray(Column[]::new)).filter(functions.col(dayColumn).isin(targets));
            out = out == null ? one : out.unionByName(one, true);
        }
        return out;
    }

    private static Column value(AggregateGroup g, AggregateGroup.Value v, WindowSpec frame) {
        return switch (v.function()) {
            case count -> functions.sum(Partials.col(g, v, "c")).over(frame);
            case sum -> functions.sum(Partials.col(g, v, "s")).over(frame);
            case mean, rate -> functions.sum(Partials.col(g, v, "s")).over(frame).cast(DataTypes.DoubleType)
                    .divide(functions.sum(Partials.col(g, v, "c")).over(frame));
            case distinct_count -> functions.size(functions.array_distinct(functions.flatten(
                    functions.collect_list(Partials.col(g, v, "set")).over(frame)))).cast(DataTypes.LongType);
            case last -> functions.max(Partials.col(g, v, "last")).over(frame).getField("v");
            case min -> functions.min(Partials.col(g, v, "min")).over(frame);
            case max -> functions.max(Partials.col(g, v, "max")).over(frame);
        };
    }
}
