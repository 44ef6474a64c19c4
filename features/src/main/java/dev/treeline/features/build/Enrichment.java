package dev.treeline.features.build;

import dev.treeline.features.spec.AggregateGroup;
import dev.treeline.features.spec.AsOfJoin;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.features.spec.RowPrep;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import scala.collection.JavaConverters;

/**
 * Attaches to rows of days [from, to] what they may know from earlier days: the as-of aggregate values
 * of their keys on their day, and the latest record of each as-of join from before their day. Rows
 * come back PII-guarded (the guard is idempotent, so the pipeline's own guard changes nothing) with the
 * attached columns; keys without history get nulls, which the pipeline turns into 0 or missing.
 */
public final class Enrichment {
    private Enrichment() {}

    public static Dataset<Row> attach(Catalog catalog, FeatureSpec spec, Dataset<Row> rows, String dayColumn,
                                      String aggregatesDataset, LocalDate from, LocalDate to) {
        if (spec.aggregates().isEmpty() && spec.joins().isEmpty()) return rows;
        List<String> original = List.of(rows.columns());
        Dataset<Row> out = RowPrep.prepare(rows, spec);
        if (!spec.aggregates().isEmpty()) {
            PartitionedDataset asOf = catalog.partitioned(aggregatesDataset);
            List<LocalDate> days = new ArrayList<>();
            asOf.markers().subMap(from, true, to, true).forEach((d, m) -> {
                if (m.rows() > 0) days.add(d);
            });
            Dataset<Row> values = days.isEmpty() ? null : asOf.read(days);
            for (AggregateGroup g : spec.aggregates()) {
                if (values == null) {
                    for (String c : g.columns()) out = out.withColumn(c, functions.lit(null).cast("double"));
                    continue;
                }
                List<Column> cols = new ArrayList<>();
                cols.add(functions.col(asOf.column()).as(dayColumn));
                for (String k : g.keys()) cols.add(functions.col(k));
                for (String c : g.columns()) cols.add(functions.col(c));
                Dataset<Row> one = values.filter(functions.col("group").equalTo(g.name())).select(cols.toArray(Column[]::new));
                List<String> on = new ArrayList<>();
                on.add(dayColumn);
                on.addAll(g.keys());
                out = out.join(one, JavaConverters.asScalaBuffer(on).toSeq(), "left");
            }
        }
        for (AsOfJoin j : spec.joins()) out = asOfJoin(catalog, spec, j, out, dayColumn, from, to);
        // Derived columns are the pipeline's to compute; only the guarded inputs and attached columns go on.
        List<String> keep = new ArrayList<>();
        for (String c : out.columns()) if (original.contains(c) || spec.attachedColumns().contains(c)) keep.add(c);
        return out.select(keep.stream().map(c -> functions.col("`" + c + "`")).toArray(Column[]::new));
    }

    private static Dataset<Row> asOfJoin(Catalog catalog, FeatureSpec spec, AsOfJoin j, Dataset<Row> rows, String dayColumn, LocalDate from, LocalDate to) {
        Dataset<Row> records;
        if (catalog.spec(j.dataset()).isPartitioned()) {
            PartitionedDataset p = catalog.partitioned(j.dataset());
            List<LocalDate> days = new ArrayList<>();
            p.markers().subMap(from.minusDays(j.maxAgeDays()), true, to, true).forEach((d, m) -> {
                if (m.rows() > 0) days.add(d);
            });
            if (days.isEmpty()) {
                Dataset<Row> out = rows;
                for (String c : j.outputColumns()) out = out.withColumn(c, functions.lit(null).cast("double"));
                return out;
            }
            records = p.read(days);
        } else {
            records = catalog.read(j.dataset());
        }
        List<String> rowKeys = new ArrayList<>(j.keys().keySet());
        List<Column> distinct = new ArrayList<>();
        distinct.add(functions.col(dayColumn).as("__aj_day"));
        for (int i = 0; i < rowKeys.size(); i++) distinct.add(functions.col(rowKeys.get(i)).as("__aj_k" + i));
        Dataset<Row> wanted = rows.select(distinct.toArray(Column[]::new)).distinct();
        Column cond = null;
        int i = 0;
        for (var e : j.keys().entrySet()) {
            // A guarded row key meets the record's raw key guarded the same way.
            Column recordKey = spec.hasPii(e.getKey()) ? RowPrep.guard(spec).guardedValue(e.getKey(), records.col(e.getValue())) : records.col(e.getValue());
            Column c = functions.col("__aj_k" + i++).equalTo(recordKey);
            cond = cond == null ? c : cond.and(c);
        }
        Column t = records.col(j.time()).cast("timestamp_ntz");
        Column dayStart = functions.col("__aj_day").cast("timestamp_ntz");
        // Strictly before the start of the row's day: nothing recorded on day D is known to a row of day D.
        cond = cond.and(t.lt(dayStart)).and(t.geq(functions.date_sub(functions.col("__aj_day"), j.maxAgeDays()).cast("timestamp_ntz")));
        List<Column> fields = new ArrayList<>();
        fields.add(t.as("__aj_t"));
        for (String c : j.columns()) fields.add(records.col(c).as(c));
        List<Column> group = new ArrayList<>();
        group.add(functions.col("__aj_day"));
        for (int k = 0; k < rowKeys.size(); k++) group.add(functions.col("__aj_k" + k));
        Dataset<Row> latest = wanted.join(records, cond, "inner")
                .groupBy(group.toArray(Column[]::new))
                .agg(functions.max(functions.struct(fields.toArray(Column[]::new))).as("__aj_latest"));
        List<Column> sel = new ArrayList<>(group);
        for (String c : j.columns()) sel.add(functions.col("__aj_latest." + c).as(j.column(c)));
        latest = latest.select(sel.toArray(Column[]::new));
        Column on = functions.col(dayColumn).equalTo(functions.col("__aj_day"));
        for (int k = 0; k < rowKeys.size(); k++) on = on.and(functions.col(rowKeys.get(k)).equalTo(functions.col("__aj_k" + k)));
        Dataset<Row> joined = rows.join(latest, on, "left").drop("__aj_day");
        for (int k = 0; k < rowKeys.size(); k++) joined = joined.drop("__aj_k" + k);
        return joined;
    }
}
