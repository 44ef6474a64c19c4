package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.registry.testing.LocalStackFixture;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Personal data through the whole pipeline against the real MLflow server and S3 API: passenger emails
 * (hashed with a salt from a secret file), names (dropped) and card numbers (masked) are used as features
 * and aggregate keys, and afterwards no raw value (nor the salt) is found in the feature snapshot, the
 * aggregates, the feature pipeline, the model bundle, anything MLflow or S3 stores, or any log line.
 * Parquet is decoded record by record, so compression cannot hide a value.
 */
class PiiIntegrationTest {
    static final LocalDate START = LocalDate.of(2001, 4, 1);
    static final LocalDate DATE = START.plusDays(19);
    static final int PASSENGERS = 40;
    /** Source datasets: the user's data at rest, which Treeline copies but does not own; documented in docs/features.md. */
    static final Set<String> LAKE = Set.of("flights", "flights_ingest_rejects", "flights_valid", "flights_rejects");

    @TempDir static Path tmp;
    static LocalStackFixture stack;
    static Path ws;
    static String pipeline;
    static String token;
    static String salt;
    static List<String> raw = new ArrayList<>();
    static CliTest.Result result;
    static CliTest.Result verify;
    static StringWriter logs = new StringWriter();

    @BeforeAll
    static void runThePipelineOnPersonalData() throws IOException {
        stack = LocalStackFixture.get();
        ws = tmp.resolve("ws");
        pipeline = "pii-" + UUID.randomUUID().toString().substring(0, 8);
        token = "zq" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        salt = "salt-" + UUID.randomUUID();
        Path saltFile = Files.writeString(tmp.resolve("salt.txt"), salt + "\n");
        for (int p = 0; p < PASSENGERS; p++) {
            raw.add(email(p));
            raw.add(name(p));
            raw.add(card(p));
        }

        var spark = TestSpark.session();
        Dataset<Row> flights = SyntheticFlights.frame(spark, START, 21, 200, 5)
                .withColumn("p", functions.abs(functions.hash(functions.col("date"), functions.col("origin"), functions.col("delay"))).mod(PASSENGERS));
        flights = flights
                .withColumn("passenger_email", functions.concat(functions.lit("traveller." + token + "."), functions.col("p"), functions.lit("@example.com")))
                .withColumn("passenger_name", functions.concat(functions.lit("Name " + token + " "), functions.col("p")))
                .withColumn("card_number", functions.concat(functions.lit("4000-1234-5678-"), functions.lpad(functions.col("p").cast("string"), 4, "0")))
                .drop("p");
        Path data = tmp.resolve("raw");
        flights.coalesce(1).write().mode(SaveMode.Overwrite).parquet(data.toString());

        String yaml = TestPipelines.publishingFlightsSpec(data, 12, pipeline, "pii");
        yaml = insertAfter(yaml, "destination: {type: string, nullable: false}",
                "passenger_email: {type: string, nullable: false, pii: true}",
                "passenger_name: {type: string, pii: true}",
                "card_number: {type: string, pattern: \"^[0-9-]{19}$\", pii: true}");
        yaml = insertAfter(yaml, "time: {column: date}",
                "pii:",
                "  passenger_email: {action: hash, salt: {file: " + saltFile + "}}",
                "  passenger_name: drop",
                "  card_number: {action: mask, keep_last: 4}");
        yaml = insertAfter(yaml, "route: {encode: target, smoothing: 10}",
                "passenger_email: {encode: target, smoothing: 5}",
                "card_number: index");
        yaml = insertBefore(yaml, "- name: origin",
                "- name: passenger",
                "  keys: [passenger_email]",
                "  windows: [7]",
                "  values:",
                "    trips: {function: count}",
                "    cards: {function: distinct_count, of: card_number}",
                "- name: card",
                "  keys: [card_number]",
                "  windows: [7]",
                "  values:",
                "    card_trips: {function: count}");
        assertTrue(yaml.contains("passenger_email: {action: hash") && yaml.contains("name: passenger") && yaml.contains("card_number: index")
                && yaml.contains("card_number: {type: string"), "the spec edits applied: " + yaml);
        Path spec = TestPipelines.writeSpec(tmp.resolve("spec"), yaml);

        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        WriterAppender appender = WriterAppender.createAppender(PatternLayout.createDefaultLayout(), null, logs, "pii-capture", false, true);
        appender.start();
        ctx.getConfiguration().addAppender(appender);
        ctx.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
        ctx.updateLoggers();
        try {
            result = CliTest.run("run", spec.toString(), "--date", DATE.toString(), "--workspace", ws.toString(),
                    "--mlflow-uri", stack.environment(ws).mlflowUri());
            verify = CliTest.run("models", "verify", pipeline, "champion", "--workspace", ws.toString(), "--mlflow-uri", stack.environment(ws).mlflowUri());
        } finally {
            ctx.getConfiguration().getRootLogger().removeAppender("pii-capture");
            ctx.updateLoggers();
        }
    }

    /** Inserts lines after the line {@code anchor}, at its indentation (the fixture spec is YAML text). */
    static String insertAfter(String yaml, String anchor, String... lines) {
        return insert(yaml, anchor, false, lines);
    }

    static String insertBefore(String yaml, String anchor, String... lines) {
        return insert(yaml, anchor, true, lines);
    }

    private static String insert(String yaml, String anchor, boolean before, String... lines) {
        List<String> out = new ArrayList<>();
        boolean done = false;
        for (String line : yaml.split("\n", -1)) {
            boolean match = !done && line.trim().equals(anchor);
            if (!match || !before) out.add(line);
            if (match) {
                String indent = line.substring(0, line.indexOf(anchor));
                for (String l : lines) out.add(indent + l);
                if (before) out.add(line);
                done = true;
            }
        }
        assertTrue(done, "no line '" + anchor + "' in the fixture spec");
        return String.join("\n", out);
    }

    static String email(int p) {
        return "traveller." + token + "." + p + "@example.com";
    }

    static String name(int p) {
        return "Name " + token + " " + p;
    }

    static String card(int p) {
        return "4000-1234-5678-" + String.format("%04d", p);
    }

    @Test
    void thePipelineUsesThePersonalColumnsAndSucceeds() {
        assertEquals(0, result.code(), result.err() + result.out());
        assertTrue(result.out().contains("[9/9] push: ok"), result.out());
    }

    @Test
    void theChampionKeyedByHashedAndMaskedColumnsVerifiesFromTheCli() {
        assertEquals(0, verify.code(), verify.err() + verify.out());
        assertTrue(verify.out().contains(pipeline + " version 1 (champion) at s3://treeline-models/pii/" + pipeline + "/1/: OK"), verify.out());
    }

    @Test
    void theAggregateKeyedByTheMaskedCardKeepsOnlyMaskedKeys() throws IOException {
        assertEquals(0, result.code(), result.err() + result.out());
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ws.resolve("data").resolve(pipeline).resolve("flight_partials"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                for (String record : records(f)) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("card_number: (\\S+)").matcher(record);
                    while (m.find()) keys.add(m.group(1));
                }
            }
        }
        assertFalse(keys.isEmpty(), "the card aggregate has keys");
        assertTrue(keys.stream().allMatch(k -> k.matches("\\*{15}\\d{4}")), keys.toString());
    }

    @Test
    void noRawValueOrSaltReachesAnythingTreelineWroteOrLogged() throws IOException {
        assertEquals(0, result.code(), result.err() + result.out());
        Map<String, String> found = new LinkedHashMap<>();
        List<Path> scanned = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ws)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (inLake(f)) continue;
                scanned.add(f);
                scan(f, found);
            }
        }
        Path stackDir = stack.workspace().resolve("stack");
        for (Path root : List.of(stackDir.resolve("mlflow"), stackDir.resolve("s3"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    scanned.add(f);
                    scan(f, found);
                }
            }
        }
        check("CLI output", result.out() + result.err(), found);
        check("log4j (Spark and Treeline loggers)", logs.toString(), found);
        assertEquals(Map.of(), found, "raw personal values or the salt were found");

        // The scan covered what matters: the snapshot, the aggregates, the feature pipeline, the bundle in MLflow and in S3.
        String all = scanned.toString();
        for (String expected : List.of("/training_features/", "/flight_partials/", "/flight_aggregates/", "/feature_pipeline/",
                "/artifacts/", "/s3/data/treeline-models/pii/" + pipeline + "/", "mlflow.db", "mlflow.log")) {
            assertTrue(all.contains(expected), "scanned " + expected + " files: " + all);
        }
    }

    @Test
    void theScannerFindsRawValuesWhereTheyAreAndTheGuardedFormsWhereTheyShouldBe() throws IOException {
        assertEquals(0, result.code(), result.err() + result.out());
        // Positive control: the curated copy of the source holds the raw values, and the scanner sees them through Parquet.
        Map<String, String> inLake = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(ws.resolve("data").resolve(pipeline).resolve("flights"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) scan(f, inLake);
        }
        assertFalse(inLake.isEmpty(), "the scanner reads Parquet values");

        // The aggregates are keyed by the hashed email: h: and 64 hex digits, the same key on every day.
        Set<String> keys = new TreeSet<>();
        Path partials = ws.resolve("data").resolve(pipeline).resolve("flight_partials");
        try (Stream<Path> files = Files.walk(partials)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                for (String record : records(f)) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("passenger_email: (\\S+)").matcher(record);
                    while (m.find()) keys.add(m.group(1));
                }
            }
        }
        assertEquals(PASSENGERS, keys.size(), "one hashed key per passenger: " + keys);
        assertTrue(keys.stream().allMatch(k -> k.matches("h:[0-9a-f]{64}")), keys.toString());

        // The masked card keeps only its last four digits; the saved feature pipeline's sample shows it.
        Set<String> cards = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ws.resolve("runs"))) {
            for (Path f : files.filter(p -> p.toString().contains("/feature_pipeline/sample/") && p.toString().endsWith(".parquet")).toList()) {
                for (String record : records(f)) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("card_number: (\\S+)").matcher(record);
                    while (m.find()) cards.add(m.group(1));
                }
            }
        }
        assertFalse(cards.isEmpty(), "the sample carries the guarded card column");
        assertTrue(cards.stream().allMatch(c -> c.matches("\\*{15}\\d{4}")), cards.toString());
    }

    private static boolean inLake(Path f) {
        Path data = ws.resolve("data").resolve(pipeline);
        if (!f.startsWith(data)) return false;
        return LAKE.contains(data.relativize(f).getName(0).toString());
    }

    private static void scan(Path f, Map<String, String> found) throws IOException {
        if (f.toString().endsWith(".parquet")) {
            check(f.toString(), String.join("\n", records(f)), found);
        }
        check(f.toString(), new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1), found);
    }

    private static void check(String where, String text, Map<String, String> found) {
        if (text.contains(salt)) found.put(where, "the salt");
        for (String v : raw) {
            if (text.contains(v)) {
                found.put(where, v);
                return;
            }
        }
        // Any fragment of the unique token gives a raw name or email away, whatever the column.
        if (text.contains(token)) found.put(where, "token " + token);
    }

    /** Every record of a Parquet file as text (strings decoded as UTF-8). */
    static List<String> records(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toUri()))
                .withConf(new Configuration()).build()) {
            for (Group g = reader.read(); g != null; g = reader.read()) out.add(g.toString());
        }
        return out;
    }
}
