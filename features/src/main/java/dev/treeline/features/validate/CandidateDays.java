package dev.treeline.features.validate;

import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.spec.ColumnType;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/** Which of the days to validate need their rows read at all (the rest are clean by their footer statistics). */
final class CandidateDays {
    private CandidateDays() {}

    /**
     * Days where some row could break a rule. A range or null rule cannot be broken on a day whose
     * footer statistics stay inside it; a pattern or allowed-values rule only where one of the column's
     * distinct values breaks it; a finite rule only where one of the column's values is NaN or infinite
     * (one query over those columns alone). Uniqueness rules need every day.
     */
    static List<LocalDate> of(Contract contract, PartitionedDataset input, Function<Collection<LocalDate>, Dataset<Row>> days,
                              TreeMap<LocalDate, PartitionMarker> in, List<LocalDate> scan) {
        if (scan.isEmpty()) return List.of();
        if (!contract.unique().isEmpty()) return scan;
        TreeSet<LocalDate> out = new TreeSet<>();
        for (LocalDate d : scan) {
            PartitionMarker m = in.get(d);
            for (ColumnContract c : contract.columns().values()) {
                var stats = m.column(c.name());
                boolean mayBreak = stats == null && (!c.nullable() || c.min() != null || c.max() != null)
                        || stats != null && !c.nullable() && stats.nulls() > 0
                        || stats != null && c.min() != null && stats.min() != null && Double.parseDouble(stats.min()) < c.min()
                        || stats != null && c.max() != null && stats.max() != null && Double.parseDouble(stats.max()) > c.max();
                if (mayBreak) out.add(d);
            }
        }
        // Footers keep no count of NaN: the days with a non-finite value in a column with a finite rule, from those columns alone.
        List<ColumnContract> finite = contract.columns().values().stream().filter(c -> c.finite()
                && (c.type() == ColumnType.DOUBLE || c.type() == ColumnType.FLOAT)).toList();
        List<LocalDate> unchecked = scan.stream().filter(d -> !out.contains(d)).toList();
        if (!finite.isEmpty() && !unchecked.isEmpty()) {
            Column nonFinite = functions.lit(false);
            for (ColumnContract c : finite) {
                Column v = functions.col("`" + c.name() + "`");
                nonFinite = nonFinite.or(functions.isnan(v).or(v.equalTo(Double.POSITIVE_INFINITY)).or(v.equalTo(Double.NEGATIVE_INFINITY)));
            }
            String dayColumn = input.column();
            for (Row r : days.apply(unchecked).where(nonFinite).select(functions.col(dayColumn)).distinct().collectAsList()) {
                out.add(((Date) r.get(0)).toLocalDate());
            }
        }
        List<LocalDate> rest = scan.stream().filter(d -> !out.contains(d)).toList();
        List<ColumnContract> valueRules = contract.columns().values().stream().filter(c -> c.pattern() != null || c.allowed() != null).toList();
        if (rest.isEmpty() || valueRules.isEmpty()) return new ArrayList<>(out);
        Dataset<Row> restRows = days.apply(rest);
        // Every checked column's distinct values in one job (few for codes such as airports).
        List<Column> sets = new ArrayList<>();
        for (ColumnContract c : valueRules) sets.add(functions.slice(functions.collect_set(functions.col("`" + c.name() + "`").cast("string")), 1, 100_001));
        Row distinct = restRows.agg(sets.get(0), sets.subList(1, sets.size()).toArray(Column[]::new)).first();
        Column anyBad = functions.lit(false);
        for (int i = 0; i < valueRules.size(); i++) {
            ColumnContract c = valueRules.get(i);
            List<String> values = distinct.getList(i);
            if (values.size() > 100_000) return scan;
            Pattern pattern = c.pattern() == null ? null : Pattern.compile(c.pattern());
            List<String> bad = values.stream()
                    .filter(x -> (pattern != null && !pattern.matcher(x).find()) || (c.allowed() != null && !c.allowed().contains(x))).toList();
            if (!bad.isEmpty()) anyBad = anyBad.or(functions.col("`" + c.name() + "`").cast("string").isin(bad.toArray()));
        }
        String day = input.column();
        for (Row r : restRows.where(anyBad).select(functions.col(day)).distinct().collectAsList()) out.add(((Date) r.get(0)).toLocalDate());
        return new ArrayList<>(out);
    }
}
