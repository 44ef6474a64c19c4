package dev.treeline.features.aggregate;

import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.features.spec.RowPrep;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Maintains point-in-time aggregates incrementally. Two day-partitioned outputs: the partials of each
 * input day, and the as-of values of each day of the training window. A day is recomputed only when
 * what it depends on changed (its fingerprint): a partial when its input day did, an as-of day when any
 * partial in its windows did. A nightly run therefore computes one new partial and one as-of day.
 */
final class AggregatesStep implements Step {
    private final FeatureSpec spec;

    AggregatesStep(FeatureSpec spec) {
        this.spec = spec;
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public StepResult run(StepContext ctx) {
        DateWindow w = ctx.window();
        PartitionedDataset input = ctx.catalog().partitioned(ctx.input(0));
        PartitionedDataset partials = ctx.catalog().partitioned(ctx.output(0));
        PartitionedDataset asOf = ctx.catalog().partitioned(ctx.output(1));
        int maxWindow = spec.aggregates().stream().mapToInt(g -> g.maxWindow()).max().orElse(0);
        LocalDate from = w.trainFrom();
        LocalDate to = w.logicalDate();
        TreeMap<LocalDate, PartitionMarker> in = new TreeMap<>(input.markers().subMap(from.minusDays(maxWindow), true, to, true));
        if (!in.containsKey(to)) {
            throw TreelineException.data("dataset '" + ctx.input(0) + "' has no partition for " + to + "; run the steps that write it first");
        }
        String definition = definition();

        // 1. Partials of every input day the windows reach, where the input day changed.
        Map<LocalDate, String> partialFp = new TreeMap<>();
        in.forEach((d, m) -> partialFp.put(d, Hashing.sha256(definition + "|" + m.fingerprint()).substring(0, 16)));
        TreeMap<LocalDate, PartitionMarker> havePartials = partials.markers();
        List<LocalDate> partialTodo = partialFp.keySet().stream()
                .filter(d -> havePartials.get(d) == null || !partialFp.get(d).equals(havePartials.get(d).fingerprint())).toList();
        long partialRows = 0;
        if (!partialTodo.isEmpty()) {
            ctx.progress().status("aggregates", String.format("partials of %d day(s) %s", partialTodo.size(), range(partialTodo)), Double.NaN);
            List<LocalDate> withRows = partialTodo.stream().filter(d -> in.get(d).rows() > 0).toList();
            Dataset<Row> rows = withRows.isEmpty() ? null
                    : Partials.of(RowPrep.prepare(input.read(withRows), spec), spec, input.column());
            ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": partials");
            var staged = partials.stage(rows, partialTodo);
            partialRows = staged.rows();
            staged.publish(partialFp::get);
        }

        // 2. As-of values of each window day whose partials changed.
        Map<LocalDate, String> asOfFp = new TreeMap<>();
        for (LocalDate d : in.subMap(from, true, to, true).keySet()) {
            StringBuilder deps = new StringBuilder(definition);
            for (var e : partialFp.entrySet()) {
                if (!e.getKey().isBefore(d.minusDays(maxWindow)) && !e.getKey().isAfter(d)) deps.append('|').append(e.getKey()).append(e.getValue());
            }
            asOfFp.put(d, Hashing.sha256(deps.toString()).substring(0, 16));
        }
        TreeMap<LocalDate, PartitionMarker> haveAsOf = asOf.markers();
        List<LocalDate> asOfTodo = asOfFp.keySet().stream()
                .filter(d -> haveAsOf.get(d) == null || !asOfFp.get(d).equals(haveAsOf.get(d).fingerprint())).toList();
        long asOfRows = 0;
        if (!asOfTodo.isEmpty()) {
            ctx.progress().status("aggregates", String.format("as-of values of %d day(s) %s", asOfTodo.size(), range(asOfTodo)), Double.NaN);
            LocalDate first = asOfTodo.get(0).minusDays(maxWindow);
            LocalDate last = asOfTodo.get(asOfTodo.size() - 1);
            List<LocalDate> needed = new ArrayList<>();
            for (var e : partials.markers().subMap(first, true, last, true).entrySet()) if (e.getValue().rows() > 0) needed.add(e.getKey());
            List<LocalDate> targets = asOfTodo.stream().filter(d -> in.get(d).rows() > 0).toList();
            Dataset<Row> values = targets.isEmpty() || needed.isEmpty() ? null
                    : AsOf.of(partials.read(needed), spec, partials.column(), targets);
            ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": as-of values");
            var staged = asOf.stage(values, asOfTodo);
            asOfRows = staged.rows();
            staged.publish(asOfFp::get);
        }
        Map<String, Number> numbers = new LinkedHashMap<>();
        numbers.put("partial_days_computed", partialTodo.size());
        numbers.put("partial_rows_written", partialRows);
        numbers.put("asof_days_computed", asOfTodo.size());
        numbers.put("asof_rows_written", asOfRows);
        numbers.put("asof_days_in_window", asOfFp.size());
        ctx.progress().endStatus("aggregates");
        return StepResult.of(String.format("%d group(s); partials of %d day(s), as-of values of %d day(s) computed (%d in the window)",
                spec.aggregates().size(), partialTodo.size(), asOfTodo.size(), asOfFp.size()), numbers);
    }

    /** Everything that changes aggregate values: the definitions, PII rules and hash keys, derived columns, code version. */
    private String definition() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("aggregates", spec.aggregates());
        d.put("pii", spec.pii());
        d.put("keys", RowPrep.guard(spec).keysFingerprint());
        d.put("derived", spec.derived());
        d.put("time", spec.timeColumn());
        d.put("version", version());
        return Hashing.sha256(Json.canonical(d));
    }

    private static String range(List<LocalDate> days) {
        return days.size() == 1 ? days.get(0).toString() : days.get(0) + ".." + days.get(days.size() - 1);
    }
}
