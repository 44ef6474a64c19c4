package dev.treeline.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.treeline.features.build.Preflight;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecException;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A feature spec is checked before any job runs; each problem names file, line and key and says what to do. */
class FeatureSpecCheckTest {
    static final String PIPELINE = """
        pipeline: checks
        datasets:
          raw:
            path: /nowhere/flights.parquet
            schema: {date: timestamp, delay: long, distance: long, origin: string, destination: string}
          flights: {partitioned_by: day}
          partials: {partitioned_by: day}
          asof: {partitioned_by: day}
        steps:
          - {name: ingest, inputs: [raw], outputs: [flights], params: {time_column: date}}
          - {name: aggregates, inputs: [flights], outputs: [partials, asof], params: {spec: features.yaml}}
          - {name: features, inputs: [flights, asof], outputs: [training_features, feature_pipeline], params: {spec: features.yaml}}
        """;

    static final String GOOD = """
        label: delay > 15
        time: {column: date}
        derived:
          route: concat(origin, '-', destination)
        calendar: [month, minute_of_day]
        features:
          distance: numeric
          origin: index
          route: {encode: target}
        aggregates:
          - name: route
            keys: [origin, destination]
            windows: [7, 28]
            values:
              delay_rate: {function: rate, of: delay > 15}
              mean_distance: {function: mean, of: distance}
        """;

    @TempDir Path tmp;

    String load(String features) throws IOException {
        Files.writeString(tmp.resolve("features.yaml"), features);
        Path spec = TestPipelines.writeSpec(tmp, PIPELINE);
        try {
            TestPipelines.load(spec, Map.of());
            return "loaded";
        } catch (SpecException e) {
            return e.getMessage().replace(tmp.toString() + "/", "");
        }
    }

    @Test
    void theExampleShapedSpecLoads() throws IOException {
        assertEquals("loaded", load(GOOD));
    }

    @Test
    void unknownColumnsAreNamedWithTheClosestMatch() throws IOException {
        assertEquals("features.yaml:4: derived.route: unknown column 'orign' (not in flights, derived or computed columns) (did you mean 'origin'?); "
                + "expected one of: date, day, delay, destination, distance, origin", load(GOOD.replace("concat(origin,", "concat(orign,")));
        assertEquals("features.yaml:9: features.rout: unknown column 'rout' (not in flights, derived or computed columns) (did you mean 'route'?); "
                + "expected one of: date, day, delay, destination, distance, minute_of_day, month, origin, route, route_delay_rate_28d, "
                + "route_delay_rate_7d, route_mean_distance_28d, route_mean_distance_7d", load(GOOD.replace("  route: {encode: target}", "  rout: {encode: target}")));
        assertEquals("features.yaml:12: aggregates[0].keys: unknown column 'dest' (not in flights, derived or computed columns); "
                + "expected one of: date, day, delay, destination, distance, minute_of_day, month, origin, route",
                load(GOOD.replace("keys: [origin, destination]", "keys: [origin, dest]")));
    }

    @Test
    void typeMismatchesAreReported() throws IOException {
        assertEquals("features.yaml:8: features.origin: feature 'origin' is string, not a number; give it encode: index, one_hot, native or target",
                load(GOOD.replace("origin: index", "origin: numeric")));
        assertEquals("features.yaml:16: aggregates[0].values.mean_distance.of: mean needs a number, but origin is string",
                load(GOOD.replace("of: distance}", "of: origin}")));
        assertEquals("features.yaml:15: aggregates[0].values.delay_rate.of: rate needs a true/false expression such as delay > 15, but delay is number",
                load(GOOD.replace("of: delay > 15}", "of: delay}")));
        assertEquals("features.yaml:2: time.column: time column 'distance' is number, not a timestamp; name a timestamp column",
                load(GOOD.replace("time: {column: date}", "time: {column: distance}")));
    }

    @Test
    void windowsNeedATimeColumn() throws IOException {
        assertEquals("features.yaml:9: aggregates: aggregate windows need a time column: add time: {column: <timestamp column>}",
                load(GOOD.replace("time: {column: date}\n", "").replace("calendar: [month, minute_of_day]\n", "")));
    }

    @Test
    void aLabelColumnIsNeverAFeature() throws IOException {
        assertEquals("features.yaml:7: features.delay: feature 'delay' is used by the label (delay > 15); a feature must not be derived from the label. "
                + "Use a point-in-time aggregate (aggregates:) to learn from earlier days' labels", load(GOOD.replace("  distance: numeric", "  delay: numeric")));
        assertEquals("features.yaml:8: features.late: feature 'late' is computed from a column of the label (delay > 15); a feature must not be derived "
                + "from the label. Use a point-in-time aggregate (aggregates:) to learn from earlier days' labels",
                load(GOOD.replace("  route: concat", "  late: delay > 60\n  route: concat").replace("  distance: numeric", "  late: numeric")));
    }

    @Test
    void badTransformsAndKeysAreReported() throws IOException {
        assertEquals("features.yaml:7: features.distance.transforms[0].clip: clip min 10.0 is above max 1.0",
                load(GOOD.replace("distance: numeric", "distance: {transforms: [{clip: [10, 1]}]}")));
        assertEquals("features.yaml:7: features.distance.transforms[0]: unknown transform 'squash'; expected one of: bucketize, clip, impute, log, scale",
                load(GOOD.replace("distance: numeric", "distance: {transforms: [{squash: true}]}")));
        assertEquals("features.yaml:7: features.distance.encode: 'numerc' is not allowed (did you mean 'numeric'?); "
                + "expected one of: index, native, numeric, one_hot, target",
                load(GOOD.replace("distance: numeric", "distance: {encode: numerc}")));
        assertEquals("features.yaml:1: pii.email: unknown column 'email' (not in flights, derived or computed columns); expected one of: "
                + "date, day, delay, destination, distance, origin", load("pii: {email: drop}\n" + GOOD));
    }

    @Test
    void sparkAnalysesExpressionsBeforeAnyJob() {
        FeatureSpec spec = FeatureSpec.parse(SpecNode.parse(GOOD.replace("concat(origin, '-', destination)", "concat(origin, '-', destination) + date_add(origin)"),
                "features.yaml", Interpolator.none()));
        SpecException e = assertThrows(SpecException.class, () -> Preflight.check(TestSpark.session(), spec, "flights",
                SyntheticFlights.SCHEMA.add("day", org.apache.spark.sql.types.DataTypes.DateType), Map.of()));
        String m = e.getMessage();
        assertEquals("features.yaml:4: derived.route: Spark cannot evaluate", m.substring(0, m.indexOf(" '")));
    }
}
