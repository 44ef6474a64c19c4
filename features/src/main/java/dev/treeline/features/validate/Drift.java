package dev.treeline.features.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Population stability index (PSI) of columns between a baseline window and the current day:
 * numeric columns in ten buckets cut at the baseline's deciles, categorical columns by category
 * (the 50 most frequent in the baseline, the rest as one). For categorical columns also the share
 * of current rows whose category the baseline never had. All numeric columns share one quantile job
 * and one histogram job per side.
 */
final class Drift {
    static final double EPS = 1e-4;
    static final int TOP = 50;

    private Drift() {}

    record Result(double psi, Double newCategoryRate) {}

    static Map<String, Result> numeric(Dataset<Row> baseline, Dataset<Row> current, List<String> columns) {
        Map<String, Result> out = new LinkedHashMap<>();
        if (columns.isEmpty()) return out;
        double[] probs = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
        double[][] q = baseline.stat().approxQuantile(columns.toArray(String[]::new), probs, 0.001);
        List<Column> buckets = new ArrayList<>();
        List<List<Double>> edges = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            TreeSet<Double> e = new TreeSet<>();
            for (double v : q[c]) e.add(v);
            List<Double> sorted = new ArrayList<>(e);
            edges.add(sorted);
            Column x = functions.col("`" + columns.get(c) + "`").cast("double");
            Column bucket = functions.lit(sorted.size());
            for (int i = sorted.size() - 1; i >= 0; i--) bucket = functions.when(x.leq(sorted.get(i)), i).otherwise(bucket);
            buckets.add(functions.when(x.isNull(), -1).otherwise(bucket));
        }
        Map<String, Map<String, Double>> base = histograms(baseline, columns, buckets, edges);
        Map<String, Map<String, Double>> cur = histograms(current, columns, buckets, edges);
        for (String c : columns) out.put(c, new Result(psi(base.get(c), cur.get(c)), null));
        return out;
    }

    /** Shares of every bucket of every column, in one aggregation. */
    private static Map<String, Map<String, Double>> histograms(Dataset<Row> rows, List<String> columns, List<Column> buckets, List<List<Double>> edges) {
        List<Column> aggs = new ArrayList<>();
        aggs.add(functions.count(functions.lit(1)));
        for (int c = 0; c < columns.size(); c++) {
            for (int b = -1; b <= edges.get(c).size(); b++) aggs.add(functions.sum(functions.when(buckets.get(c).equalTo(b), 1).otherwise(0)));
        }
        Row r = rows.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
        long total = r.getLong(0);
        Map<String, Map<String, Double>> out = new HashMap<>();
        int i = 1;
        for (int c = 0; c < columns.size(); c++) {
            Map<String, Double> shares = new HashMap<>();
            for (int b = -1; b <= edges.get(c).size(); b++) {
                long n = r.isNullAt(i) ? 0 : r.getLong(i);
                i++;
                if (n > 0) shares.put(Integer.toString(b), total == 0 ? 0 : (double) n / total);
            }
            out.put(columns.get(c), shares);
        }
        return out;
    }

    /** PSI and new-category rate of several categorical columns, with one counting job per side. */
    static Map<String, Result> categorical(Dataset<Row> baseline, Dataset<Row> current, List<String> columns) {
        Map<String, Result> out = new LinkedHashMap<>();
        if (columns.isEmpty()) return out;
        Map<String, Map<String, Long>> base = counts(baseline, columns);
        Map<String, Map<String, Long>> cur = counts(current, columns);
        for (String col : columns) {
            Map<String, Long> b = base.getOrDefault(col, Map.of());
            Map<String, Long> c = cur.getOrDefault(col, Map.of());
            long total = b.values().stream().mapToLong(Long::longValue).sum();
            List<Map.Entry<String, Long>> ranked = new ArrayList<>(b.entrySet());
            ranked.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
            Map<String, Double> baseShares = new HashMap<>();
            for (int i = 0; i < ranked.size(); i++) {
                baseShares.merge(i < TOP ? ranked.get(i).getKey() : "(other)", (double) ranked.get(i).getValue() / total, Double::sum);
            }
            long curTotal = c.values().stream().mapToLong(Long::longValue).sum();
            long unseen = 0;
            Map<String, Double> curShares = new HashMap<>();
            for (var e : c.entrySet()) {
                if (!b.containsKey(e.getKey())) unseen += e.getValue();
                String bucket = baseShares.containsKey(e.getKey()) ? e.getKey() : b.containsKey(e.getKey()) ? "(other)" : "(new)";
                curShares.merge(bucket, (double) e.getValue() / curTotal, Double::sum);
            }
            out.put(col, new Result(psi(baseShares, curShares), curTotal == 0 ? 0.0 : (double) unseen / curTotal));
        }
        return out;
    }

    /** column -> value -> rows, for all columns in one job. */
    private static Map<String, Map<String, Long>> counts(Dataset<Row> rows, List<String> columns) {
        Column[] pairs = columns.stream().map(c -> functions.struct(functions.lit(c).as("c"),
                functions.coalesce(functions.col("`" + c + "`").cast("string"), functions.lit("(null)")).as("v"))).toArray(Column[]::new);
        Map<String, Map<String, Long>> out = new HashMap<>();
        for (Row r : rows.select(functions.explode(functions.array(pairs)).as("p")).groupBy("p.c", "p.v").count().collectAsList()) {
            out.computeIfAbsent(r.getString(0), k -> new HashMap<>()).put(r.getString(1), r.getLong(2));
        }
        return out;
    }

    static double psi(Map<String, Double> base, Map<String, Double> cur) {
        TreeSet<String> keys = new TreeSet<>(base.keySet());
        keys.addAll(cur.keySet());
        double psi = 0;
        for (String k : keys) {
            double b = Math.max(base.getOrDefault(k, 0.0), EPS);
            double c = Math.max(cur.getOrDefault(k, 0.0), EPS);
            psi += (c - b) * Math.log(c / b);
        }
        return psi;
    }
}
