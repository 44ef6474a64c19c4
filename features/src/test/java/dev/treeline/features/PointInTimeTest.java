package dev.treeline.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point-in-time correctness of aggregates and features: values equal a brute-force computation, a
 * day's features do not move when anything at or after that day changes, and the nightly incremental
 * update gives exactly what a full rebuild gives.
 */
class PointInTimeTest {
    static final LocalDate START = LocalDate.of(2001, 3, 1);
    static final LocalDate D = START.plusDays(15);

    @TempDir Path tmp;
    SparkSession spark;

    @BeforeEach
    void setUp() {
        spark = TestSpark.session();
    }

    static String spec(Path data) {
        return """
            pipeline: pit
            window: {train_days: 8, validation_days: 2, holdout_days: 1}
            datasets:
              raw: {path: %s}
              flights: {partitioned_by: day}
              partials: {partitioned_by: day}
              asof: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [flights], params: {time_column: date, history_start: 2001-03-01}}
              - name: aggregates
                inputs: [flights]
                outputs: [partials, asof]
                params: &features
                  label: delay > 15
                  time: {column: date}
                  derived:
                    route: concat(origin, '-', destination)
                    late: delay > 15
                  calendar: [day_of_week, minute_of_day]
                  features:
                    distance: {transforms: [{clip: [0, 1500]}, log]}
                    origin: one_hot
                    route: {encode: target, smoothing: 5}
                  aggregates:
                    - name: origin
                      keys: [origin]
                      windows: [1, 3]
                      values:
                        late_rate: {function: rate, of: late}
                        flights: {function: count}
                        mean_delay: {function: mean, of: delay}
                        destinations: {function: distinct_count, of: destination}
                        last_delay: {function: last, of: delay}
                    - name: route
                      keys: [origin, destination]
                      windows: [7]
                      values:
                        late_rate: {function: rate, of: delay > 15}
              - name: features
                inputs: [flights, asof]
                outputs: [training_features, feature_pipeline]
                params: *features
            """.formatted(data.toAbsolutePath());
    }

    Path write(List<Row> rows, String name) {
        Path dir = tmp.resolve(name);
        spark.createDataFrame(rows, SyntheticFlights.SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir.toString());
        return dir;
    }

    record Run(Pipeline pipeline, PipelineRunner runner, Path workspace) {
        RunOutcome at(LocalDate date) {
            return runner.run(pipeline, date, RunOptions.DEFAULT);
        }

        Catalog catalog(SparkSession spark, LocalDate date, RunOutcome o) {
            return new Catalog(spark, pipeline.spec(), workspace, runner.store().runDir(pipeline.spec().name(), date, o.state().runId), o.state().runId);
        }
    }

    Run run(Path data, String name) {
        Pipeline p = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec-" + name), spec(data)), Map.of());
        Path ws = tmp.resolve("ws-" + name);
        return new Run(p, new PipelineRunner(TestPipelines.env(ws), NoTracking::new, () -> spark, Progress.SILENT), ws);
    }

    @Test
    void aggregatesEqualABruteForceComputationOverEarlierDaysOnly() {
        List<Row> rows = SyntheticFlights.rows(START, 20, 200, 5);
        Run r = run(write(rows, "raw"), "a");
        RunOutcome o = r.at(D);
        Catalog c = r.catalog(spark, D, o);
        for (LocalDate day : List.of(D, D.minusDays(3))) {
            Map<String, Row> asOf = new HashMap<>();
            for (Row x : c.partitioned("asof").read(day, day).filter("`group` = 'origin'").collectAsList()) asOf.put(x.getAs("origin"), x);
            assertEquals(10, asOf.size(), "every airport flying on " + day);
            for (String airport : asOf.keySet()) {
                Row got = asOf.get(airport);
                for (int w : List.of(1, 3)) {
                    long n = 0;
                    long late = 0;
                    long delaySum = 0;
                    java.util.Set<String> dest = new java.util.HashSet<>();
                    LocalDateTime lastTime = null;
                    long lastDelay = 0;
                    for (Row f : rows) {
                        LocalDateTime t = f.getAs(0);
                        LocalDate d = t.toLocalDate();
                        if (!f.getString(3).equals(airport) || d.isBefore(day.minusDays(w)) || !d.isBefore(day)) continue;
                        n++;
                        delaySum += f.getLong(1);
                        if (f.getLong(1) > 15) late++;
                        dest.add(f.getString(4));
                        if (lastTime == null || t.isAfter(lastTime) || (t.equals(lastTime) && f.getLong(1) > lastDelay)) {
                            lastTime = t;
                            lastDelay = f.getLong(1);
                        }
                    }
                    String at = airport + " " + day + " " + w + "d";
                    assertEquals(n, ((Number) got.getAs("origin_flights_" + w + "d")).longValue(), at);
                    assertEquals((double) late / n, got.<Double>getAs("origin_late_rate_" + w + "d"), 1e-12, at);
                    assertEquals((double) delaySum / n, got.<Double>getAs("origin_mean_delay_" + w + "d"), 1e-9, at);
                    assertEquals((long) dest.size(), ((Number) got.getAs("origin_destinations_" + w + "d")).longValue(), at);
                    assertEquals(lastDelay, ((Number) got.getAs("origin_last_delay_" + w + "d")).longValue(), at);
                }
            }
        }
    }

    /** Rows of day D and later, changed: labels flipped, half of day D deleted, every later day replaced. */
    static List<Row> tamperFrom(List<Row> rows, LocalDate d) {
        List<Row> out = new ArrayList<>();
        Random r = new Random(99);
        for (Row f : rows) {
            LocalDate day = ((LocalDateTime) f.getAs(0)).toLocalDate();
            if (day.isBefore(d)) {
                out.add(f);
            } else if (day.equals(d)) {
                if (r.nextBoolean()) out.add(RowFactory.create(f.get(0), f.getLong(1) > 15 ? 0L : 60L, f.get(2), f.get(3), f.get(4)));
            }
        }
        out.addAll(SyntheticFlights.rows(d.plusDays(1), 3, 300, 1234));
        return out;
    }

    @Test
    void featuresOfDayDDoNotChangeWhenEverythingFromDOnIsChanged() {
        List<Row> rows = SyntheticFlights.rows(START, 20, 200, 5);
        Run before = run(write(rows, "raw-before"), "before");
        RunOutcome o1 = before.at(D);
        Run after = run(write(tamperFrom(rows, D), "raw-after"), "after");
        RunOutcome o2 = after.at(D);
        Catalog c1 = before.catalog(spark, D, o1);
        Catalog c2 = after.catalog(spark, D, o2);

        // Day D rows that survived: same feature vector, though their labels flipped.
        Map<String, Vector> v1 = holdoutVectors(c1);
        Map<String, Vector> v2 = holdoutVectors(c2);
        assertTrue(v2.size() > 50 && v2.size() < v1.size(), "about half of day D survives: " + v2.size() + " of " + v1.size());
        int flippedLabels = 0;
        for (var e : v2.entrySet()) {
            assertEquals(v1.get(e.getKey()), e.getValue(), "features of " + e.getKey());
        }
        Map<String, Double> l1 = holdoutLabels(c1);
        Map<String, Double> l2 = holdoutLabels(c2);
        for (String k : l2.keySet()) if (!l1.get(k).equals(l2.get(k))) flippedLabels++;
        assertEquals(v2.size(), flippedLabels, "the test flipped every label of day D");
        // Train and validation rows: the same vectors, as a multiset.
        assertEquals(sortedVectors(c1, "holdout"), sortedVectors(c2, "holdout"));
        // The as-of values of day D for its airports do not move.
        assertEquals(asOfRows(c1, D, v2.keySet()), asOfRows(c2, D, v2.keySet()));
    }

    @Test
    void theLabelAndColumnsComputedFromItNeverEnterTheVector() throws Exception {
        Run r = run(write(SyntheticFlights.rows(START, 20, 200, 5), "raw"), "l");
        RunOutcome o = r.at(D);
        FeatureMeta meta = FeatureMeta.read(r.catalog(spark, D, o).directory("feature_pipeline"));
        assertFalse(meta.inputColumns().contains("delay"), "serving does not send the outcome: " + meta.inputColumns());
        for (String f : meta.featureNames()) {
            assertFalse(f.equals("delay") || f.equals("late") || f.equals("label"), f);
        }
        // A derived column computed from the label's column is refused as a feature when the spec loads.
        String bad = spec(tmp).replace("distance: {transforms: [{clip: [0, 1500]}, log]}", "late: numeric");
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.treeline.pipelines.spec.SpecException.class,
                () -> TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("bad"), bad), Map.of()));
        assertTrue(e.getMessage().contains("steps[1].params.features.late: feature 'late' is computed from a column of the label (delay > 15)"),
                e.getMessage());
    }

    @Test
    void theNightlyUpdateComputesOneDayAndEqualsAFullRebuild() {
        List<Row> rows = SyntheticFlights.rows(START, 20, 200, 5);
        Path data = write(rows, "raw");
        Run nightly = run(data, "nightly");
        RunOutcome first = nightly.at(D.minusDays(3));
        assertTrue(first.state().number("aggregates", "partial_days_computed") >= 10, "the first run computes the history");
        RunOutcome last = null;
        for (LocalDate d = D.minusDays(2); !d.isAfter(D); d = d.plusDays(1)) {
            last = nightly.at(d);
            assertEquals(1.0, last.state().number("aggregates", "partial_days_computed"), "night of " + d);
            assertEquals(1.0, last.state().number("aggregates", "asof_days_computed"), "night of " + d);
        }
        Run full = run(data, "full");
        RunOutcome rebuilt = full.at(D);
        assertEquals(16.0, rebuilt.state().number("aggregates", "partial_days_computed"), "every day from the history start to D");

        Catalog cn = nightly.catalog(spark, D, last);
        Catalog cf = full.catalog(spark, D, rebuilt);
        LocalDate from = D.minusDays(10);
        assertEquals(table(cf.partitioned("asof").read(from, D)), table(cn.partitioned("asof").read(from, D)));
        assertEquals(table(cf.partitioned("partials").read(START, D)), table(cn.partitioned("partials").read(START, D)));
        assertEquals(sortedVectors(cf, "none"), sortedVectors(cn, "none"), "the same training snapshot");
        assertEquals(last.state().steps.stream().filter(s -> s.name.equals("features")).findFirst().orElseThrow().facts.get("feature_snapshot"),
                rebuilt.state().steps.stream().filter(s -> s.name.equals("features")).findFirst().orElseThrow().facts.get("feature_snapshot"),
                "same inputs, same snapshot id");
        assertNotEquals(0, table(cf.partitioned("asof").read(from, D)).size());
    }

    static List<String> table(Dataset<Row> rows) {
        List<String> out = new ArrayList<>();
        String[] cols = rows.columns();
        java.util.Arrays.sort(cols);
        for (Row r : rows.selectExpr(java.util.Arrays.stream(cols).map(c -> "`" + c + "`").toArray(String[]::new)).collectAsList()) {
            out.add(r.toString());
        }
        out.sort(null);
        return out;
    }

    static String identity(Row r) {
        return r.getAs("date") + "|" + r.getAs("origin") + "|" + r.getAs("destination") + "|" + r.getAs("distance");
    }

    static Map<String, Vector> holdoutVectors(Catalog c) {
        Map<String, Vector> out = new TreeMap<>();
        for (Row r : sample(c).collectAsList()) out.put(identity(r), r.getAs("features"));
        return out;
    }

    static Map<String, Double> holdoutLabels(Catalog c) {
        Map<String, Double> out = new TreeMap<>();
        for (Row r : sample(c).collectAsList()) out.put(identity(r), r.getAs("label"));
        return out;
    }

    static Dataset<Row> sample(Catalog c) {
        return c.spark().read().parquet(c.directory("feature_pipeline").resolve(FeatureMeta.SAMPLE_DIR).toString());
    }

    static List<String> sortedVectors(Catalog c, String excludeSplit) {
        List<String> out = new ArrayList<>();
        for (Row r : c.read("training_features").filter(functions.col("split").notEqual(excludeSplit)).select("day", "split", "features").collectAsList()) {
            out.add(r.get(0) + " " + r.get(1) + " " + r.get(2));
        }
        out.sort(null);
        return out;
    }

    static List<String> asOfRows(Catalog c, LocalDate day, java.util.Set<String> survivors) {
        java.util.Set<String> airports = new java.util.HashSet<>();
        for (String s : survivors) airports.add(s.split("\\|")[1]);
        return table(c.partitioned("asof").read(day, day).filter(functions.col("group").equalTo("origin"))
                .filter(functions.col("origin").isin(airports.toArray())));
    }
}
