package dev.treeline.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.features.stages.ColumnTransformsModel;
import dev.treeline.features.stages.DenseFeatureAssembler;
import dev.treeline.features.stages.PiiGuard;
import dev.treeline.features.stages.TargetEncoderModel;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fitted feature pipeline: every stage persists and reloads exactly; unseen and missing values have defined encodings. */
class FeaturePipelineTest {
    static final StructType SCHEMA = new StructType()
            .add("day", DataTypes.DateType)
            .add("date", DataTypes.TimestampNTZType)
            .add("distance", DataTypes.DoubleType)
            .add("origin", DataTypes.StringType)
            .add("carrier", DataTypes.StringType)
            .add("route", DataTypes.StringType)
            .add("email", DataTypes.StringType)
            .add("name", DataTypes.StringType)
            .add("origin_flights_7d", DataTypes.LongType)
            .add("label", DataTypes.DoubleType);

    @TempDir Path tmp;
    SparkSession spark;

    @BeforeEach
    void setUp() {
        spark = TestSpark.session();
    }

    FeatureSpec spec(Path salt) {
        String yaml = """
            label: label > 0
            time: {column: date, zone: America/New_York}
            pii:
              email: {action: hash, salt: {file: %s}}
              route: {action: mask, keep_first: 3, keep_last: 0}
              name: drop
            derived:
              long_haul: distance > 1000
            calendar: {zone: UTC, features: [hour, day_of_week]}
            features:
              distance: {transforms: [{impute: median}, {clip: [0, 3000]}, log, {scale: standard}]}
              long_haul: numeric
              origin: index
              carrier: one_hot
              route: native
              email: {encode: target, smoothing: 2}
              dist_bucket_source: {transforms: [{impute: {constant: "-1"}}, {bucketize: [0, 500, 1500]}]}
            """.formatted(salt);
        // dist_bucket_source is a derived copy so the same input feeds two chains.
        yaml = yaml.replace("long_haul: distance > 1000", "long_haul: distance > 1000\n  dist_bucket_source: distance");
        return FeatureSpec.parse(SpecNode.parse(yaml, "features.yaml", Interpolator.none()));
    }

    Dataset<Row> train() {
        List<Row> rows = new ArrayList<>();
        String[] origins = {"ATL", "ATL", "ATL", "ORD", "ORD", "DFW"};
        String[] carriers = {"AA", "UA", "AA", "DL"};
        for (int i = 0; i < 60; i++) {
            LocalDate day = LocalDate.of(2001, 3, 1 + i % 6);
            rows.add(RowFactory.create(java.sql.Date.valueOf(day), LocalDateTime.of(day, java.time.LocalTime.of(5 + i % 12, i % 60)),
                    i % 10 == 0 ? null : 100.0 + 37 * i, origins[i % origins.length], carriers[i % carriers.length],
                    "R" + (i % 5) + "-XYZ", "person" + (i % 7) + "@example.com", "Name " + i, (long) i, (double) (i % 3 == 0 ? 1 : 0)));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }

    @Test
    void everyStagePersistsAndReloadsToTheSameOutput() throws Exception {
        Path salt = Files.writeString(tmp.resolve("salt"), "pepper-123");
        FeatureSpec spec = spec(salt);
        PipelineModel fitted = FeaturePipelineFactory.build(spec).fit(train());
        Path dir = tmp.resolve("pipeline");
        fitted.write().save(dir.toString());
        PipelineModel loaded = PipelineModel.load(dir.toString());
        assertEquals(vectors(fitted.transform(train())), vectors(loaded.transform(train())));

        // Each custom stage on its own: write, read, same params, same output.
        Dataset<Row> in = train();
        int custom = 0;
        for (int i = 0; i < fitted.stages().length; i++) {
            Transformer stage = fitted.stages()[i];
            if (stage instanceof PiiGuard || stage instanceof ColumnTransformsModel || stage instanceof TargetEncoderModel
                    || stage instanceof DenseFeatureAssembler) {
                Path p = tmp.resolve("stage-" + i);
                ((MLWritable) stage).write().save(p.toString());
                Transformer back = (Transformer) stage.getClass().getMethod("load", String.class).invoke(null, p.toString());
                assertEquals(stage.uid(), back.uid());
                assertEquals(params(stage), params(back), stage.getClass().getSimpleName());
                assertEquals(rows(stage.transform(in)), rows(back.transform(in)), stage.getClass().getSimpleName());
                custom++;
            }
            in = stage.transform(in);
        }
        assertEquals(4, custom, "PII guard, column transforms, target encoder, assembler");
        // The salt is read when the stage runs; no saved file holds it.
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains("pepper-123"), f.toString());
            }
        }
    }

    @Test
    void unseenAndMissingValuesHaveDefinedEncodings() throws Exception {
        Path salt = Files.writeString(tmp.resolve("salt"), "pepper-123");
        FeatureSpec spec = spec(salt);
        PipelineModel fitted = FeaturePipelineFactory.build(spec).fit(train());
        List<String[]> slots = FeaturePipelineFactory.slots(spec, fitted);
        List<String> names = slots.stream().map(s -> s[0]).toList();
        assertEquals(List.of("hour", "day_of_week", "distance", "long_haul", "origin", "carrier=AA", "carrier=DL", "carrier=UA",
                "carrier=__unknown__", "route", "email", "dist_bucket_source"), names);
        assertEquals("c", slots.get(names.indexOf("route"))[1]);

        LocalDate day = LocalDate.of(2001, 3, 9);
        Row unseen = RowFactory.create(java.sql.Date.valueOf(day), LocalDateTime.of(day, java.time.LocalTime.of(12, 0)), null, "SFO", "ZZ",
                "Q9-NEW", "nobody@example.com", "X", null, 0.0);
        Row missing = RowFactory.create(java.sql.Date.valueOf(day), LocalDateTime.of(day, java.time.LocalTime.of(12, 0)), Double.NaN, null, null,
                null, null, null, null, 0.0);
        Vector u = vectors(fitted.transform(spark.createDataFrame(List.of(unseen), SCHEMA))).get(0);
        Vector m = vectors(fitted.transform(spark.createDataFrame(List.of(missing), SCHEMA))).get(0);
        TargetEncoderModel te = (TargetEncoderModel) java.util.Arrays.stream(fitted.stages()).filter(s -> s instanceof TargetEncoderModel).findFirst().orElseThrow();
        ColumnTransformsModel ct = (ColumnTransformsModel) java.util.Arrays.stream(fitted.stages()).filter(s -> s instanceof ColumnTransformsModel).findFirst().orElseThrow();
        double medianScaled = spark.range(1).select(ct.getPlans().get(0).apply(org.apache.spark.sql.functions.lit(null).cast("double")))
                .first().getDouble(0);
        for (Vector v : List.of(u, m)) {
            assertEquals(17.0, v.apply(names.indexOf("hour")), "12:00 in New York is 17:00 UTC (EST: DST began April 1 in 2001)");
            assertEquals(medianScaled, v.apply(names.indexOf("distance")), 1e-12, "missing distance → train median, then clip, log, scale");
            assertEquals(3.0, v.apply(names.indexOf("origin")), "unseen and missing share the index after the 3 known airports");
            assertEquals(1.0, v.apply(names.indexOf("carrier=__unknown__")));
            assertEquals(0.0, v.apply(names.indexOf("carrier=AA")) + v.apply(names.indexOf("carrier=UA")) + v.apply(names.indexOf("carrier=DL")));
            assertEquals(5.0, v.apply(names.indexOf("route")), "masked routes R0-..R4- are 5 categories; the unknown one is index 5");
            assertEquals(((Number) te.extractParamMap().apply(te.prior())).doubleValue(), v.apply(names.indexOf("email")), 1e-12, "target encoding falls back to the prior");
        }
        assertTrue(Double.isNaN(u.apply(names.indexOf("long_haul"))), "a derived value that is null is missing (NaN) for XGBoost");
        assertEquals(0.0, vectors(fitted.transform(spark.createDataFrame(List.of(unseen), SCHEMA))).get(0).apply(names.indexOf("dist_bucket_source")),
                "a missing value imputed as -1 lands in the first bucket (below 0)");
    }

    @Test
    void piiValuesAreHashedWithTheSecretMaskedOrDroppedAndGuardingTwiceChangesNothing() throws Exception {
        Path salt = Files.writeString(tmp.resolve("salt"), "pepper-123");
        PiiGuard guard = (PiiGuard) FeaturePipelineFactory.build(spec(salt)).getStages()[0];
        Dataset<Row> once = guard.transform(train());
        Dataset<Row> twice = guard.transform(once);
        assertEquals(rows(once), rows(twice), "idempotent");
        assertFalse(List.of(once.columns()).contains("name"), "dropped");
        Row r = once.first();
        String email = r.getAs("email");
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("pepper-123".getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        assertEquals("h:" + java.util.HexFormat.of().formatHex(mac.doFinal("person0@example.com".getBytes(java.nio.charset.StandardCharsets.UTF_8))), email);
        assertEquals("R0-***", r.getAs("route"));

        PiiGuard fromEnv = PiiGuard.of(List.of(new dev.treeline.features.spec.PiiRule("email", dev.treeline.features.spec.PiiRule.Action.hash,
                new dev.treeline.features.spec.SecretRef("TREELINE_TEST_UNSET_SALT", null), 0, 0)));
        TreelineException e = assertThrows(TreelineException.class, () -> fromEnv.transform(train()).count());
        assertEquals("secret: environment variable TREELINE_TEST_UNSET_SALT is not set; set it (or use file:)", e.getMessage());
    }

    static List<Vector> vectors(Dataset<Row> rows) {
        List<Vector> out = new ArrayList<>();
        for (Row r : rows.select("features").collectAsList()) out.add(r.getAs(0));
        return out;
    }

    static java.util.Map<String, String> params(Transformer t) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (var pair : scala.collection.JavaConverters.seqAsJavaList(t.extractParamMap().toSeq())) {
            Object v = pair.value();
            String s = v instanceof Object[] a ? java.util.Arrays.deepToString(a) : v instanceof double[] d ? java.util.Arrays.toString(d)
                    : v instanceof int[] i ? java.util.Arrays.toString(i) : String.valueOf(v);
            out.put(pair.param().name(), s);
        }
        assertFalse(out.isEmpty());
        return out;
    }

    static List<String> rows(Dataset<Row> rows) {
        return rows.collectAsList().stream().map(Row::toString).toList();
    }
}
