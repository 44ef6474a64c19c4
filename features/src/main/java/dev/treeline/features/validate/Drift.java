package dev.treeline.features.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Population stability index (PSI) of a column between a baseline window and the current day:
 * numeric columns in ten buckets cut at the baseline's deciles, categorical columns by category
 * (the 50 most frequent in the baseline, the rest as one). For categorical columns also the share
 * of current rows whose category the baseline never had.
 */
final class Drift {
    static final double EPS = 1e-4;
    static final int TOP = 50;

    private Drift() {}

    record Result(double psi, Double newCategoryRate) {}

    static Result numeric(Dataset<Row> baseline, Dataset<Row> current, String column) {
        double[] q = baseline.stat().approxQuantile(column, new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, 0.001);
        TreeSet<Double> edges = new TreeSet<>();
        for (double v : q) edges.add(v);
        Column c = functions.col("`" + column + "`").cast("double");
        Column bucket = functions.lit(edges.size());
        List<Double> e = new ArrayList<>(edges);
        for (int i = e.size() - 1; i >= 0; i--) bucket = functions.when(c.leq(e.get(i)), i).otherwise(bucket);
        bucket = functions.when(c.isNull(), -1).otherwise(bucket);
        return new Result(psi(shares(baseline, bucket), shares(current, bucket)), null);
    }

    static Result categorical(Dataset<Row> baseline, Dataset<Row> current, String column) {
        Column c = functions.coalesce(functions.col("`" + column + "`").cast("string"), functions.lit("(null)"));
        Map<String, Double> base = new HashMap<>();
        List<Row> rows = baseline.groupBy(c.as("k")).count().collectAsList();
        long total = rows.stream().mapToLong(r -> r.getLong(1)).sum();
        rows.sort((a, b) -> Long.compare(b.getLong(1), a.getLong(1)));
        TreeSet<String> known = new TreeSet<>();
        for (Row r : rows) known.add(r.getString(0));
        for (int i = 0; i < rows.size(); i++) {
            String k = i < TOP ? rows.get(i).getString(0) : "(other)";
            base.merge(k, (double) rows.get(i).getLong(1) / total, Double::sum);
        }
        Map<String, Double> cur = new HashMap<>();
        long curTotal = 0;
        long unseen = 0;
        List<Row> curRows = current.groupBy(c.as("k")).count().collectAsList();
        for (Row r : curRows) curTotal += r.getLong(1);
        for (Row r : curRows) {
            String k = r.getString(0);
            if (!known.contains(k)) unseen += r.getLong(1);
            String bucket = base.containsKey(k) ? k : known.contains(k) ? "(other)" : "(new)";
            cur.merge(bucket, (double) r.getLong(1) / curTotal, Double::sum);
        }
        return new Result(psi(base, cur), curTotal == 0 ? 0.0 : (double) unseen / curTotal);
    }

    private static Map<String, Double> shares(Dataset<Row> rows, Column bucket) {
        Map<String, Double> out = new HashMap<>();
        List<Row> counts = rows.groupBy(bucket.as("b")).count().collectAsList();
        long total = counts.stream().mapToLong(r -> r.getLong(1)).sum();
        for (Row r : counts) out.put(String.valueOf(r.get(0)), total == 0 ? 0 : (double) r.getLong(1) / total);
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
