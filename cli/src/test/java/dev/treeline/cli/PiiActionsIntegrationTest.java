package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.registry.testing.LocalStackFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every PII action on a column that is not a feature, in a pipeline without aggregates (where the
 * guard runs only inside the feature pipeline: `drop` used to break the features step there), through
 * push and `treeline models verify MODEL champion`: one test per action, each reading the published
 * bundle's scoring sample. (Aggregate keys under hash and mask: PiiIntegrationTest.)
 */
class PiiActionsIntegrationTest {
    static final LocalDate START = LocalDate.of(2001, 4, 1);
    static final LocalDate DATE = START.plusDays(19);

    @TempDir static Path tmp;
    static String model;
    static Path ws;
    static CliTest.Result run;
    static CliTest.Result verify;
    static List<String> sample = new ArrayList<>();

    @BeforeAll
    static void runThroughPushAndVerify() throws IOException {
        LocalStackFixture stack = LocalStackFixture.get();
        ws = tmp.resolve("ws");
        String mlflow = stack.environment(ws).mlflowUri();
        model = "pii-actions-" + UUID.randomUUID().toString().substring(0, 8);
        Path saltFile = Files.writeString(tmp.resolve("salt.txt"), "salt-" + UUID.randomUUID() + "\n");
        var spark = TestSpark.session();
        Dataset<Row> rows = SyntheticFlights.frame(spark, START, 20, 200, 11)
                .withColumn("n", functions.abs(functions.hash(functions.col("date"), functions.col("origin"), functions.col("delay"))).mod(1000))
                .withColumn("customer_id", functions.concat(functions.lit("C-"), functions.col("n")))
                .withColumn("email", functions.concat(functions.lit("person"), functions.col("n"), functions.lit("@example.com")))
                .withColumn("phone", functions.concat(functions.lit("555-01"), functions.lpad(functions.col("n").cast("string"), 4, "0")))
                .withColumn("card", functions.concat(functions.lit("4000-1234-5678-"), functions.lpad(functions.col("n").cast("string"), 4, "0")))
                .drop("n");
        Path data = tmp.resolve("raw");
        rows.coalesce(1).write().mode(SaveMode.Overwrite).parquet(data.toString());
        Path contract = Files.writeString(tmp.resolve("contract.yaml"), """
            columns:
              date: {type: timestamp, nullable: false}
              delay: {type: long, nullable: false}
              distance: {type: long, nullable: false}
              origin: {type: string, nullable: false}
              destination: {type: string, nullable: false}
              customer_id: {type: string, pii: true}
              email: {type: string, pii: true}
              phone: {type: string, pii: true}
              card: {type: string, pii: true}
            rows: {min: 1}
            """);
        String features = """
            label: delay > 15
            time: {column: date}
            calendar: [day_of_week, minute_of_day]
            features:
              distance: numeric
              origin: native
              destination: index
            pii:
              customer_id: drop
              email: {action: hash, salt: {file: %s}}
              phone: {action: mask, keep_first: 3}
              card: {action: mask, keep_last: 4}
            """.formatted(saltFile);
        String source = "path: " + data + "\nschema: {date: timestamp, delay: long, distance: long, origin: string, destination: string, "
                + "customer_id: string, email: string, phone: string, card: string}";
        Path spec = tmp.resolve("pipeline.yaml");
        Files.writeString(spec, new PublishingSpec(model, source, "date", contract, features, 14).yaml());
        run = CliTest.run("run", spec.toString(), "--date", DATE.toString(), "--workspace", ws.toString(), "--mlflow-uri", mlflow);
        verify = CliTest.run("models", "verify", model, "champion", "--workspace", ws.toString(), "--mlflow-uri", mlflow);
        // The published bundle's scoring sample (guarded input rows), as S3Proxy stores it.
        Path published = stack.workspace().resolve("stack/s3/data/treeline-models").resolve(model).resolve(model);
        if (Files.isDirectory(published)) {
            try (Stream<Path> files = Files.walk(published)) {
                for (Path f : files.filter(p -> p.toString().contains("scoring_sample") && p.toString().endsWith(".parquet")).toList()) {
                    sample.addAll(PiiIntegrationTest.records(f));
                }
            }
        }
    }

    static void thePipelineAndVerifySucceeded() {
        assertEquals(0, run.code(), run.err() + run.out());
        assertTrue(run.out().contains("[8/8] push: ok"), run.out());
        assertEquals(0, verify.code(), verify.err() + verify.out());
        assertTrue(verify.out().contains(model + " version 1 (champion) at s3://treeline-models/"), verify.out());
        assertFalse(sample.isEmpty(), "the published scoring sample was read");
    }

    static Set<String> values(String column) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile(column + ": (\\S+)").matcher(String.join("\n", sample));
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void dropRemovesTheColumnAndTheModelStillPublishesAndVerifies() {
        thePipelineAndVerifySucceeded();
        assertEquals(Set.of(), values("customer_id"), "no customer_id in the published sample");
        assertFalse(String.join("\n", sample).contains("C-"), "no raw id anywhere in it");
    }

    @Test
    void hashReplacesEveryValueWithItsKeyedHash() {
        thePipelineAndVerifySucceeded();
        Set<String> emails = values("email");
        assertFalse(emails.isEmpty());
        assertTrue(emails.stream().allMatch(v -> v.matches("h:[0-9a-f]{64}")), emails.toString());
    }

    @Test
    void maskWithKeepFirstKeepsTheFirstCharacters() {
        thePipelineAndVerifySucceeded();
        Set<String> phones = values("phone");
        assertFalse(phones.isEmpty());
        assertTrue(phones.stream().allMatch(v -> v.matches("555\\*{7}")), phones.toString());
    }

    @Test
    void maskWithKeepLastKeepsTheLastCharacters() {
        thePipelineAndVerifySucceeded();
        Set<String> cards = values("card");
        assertFalse(cards.isEmpty());
        assertTrue(cards.stream().allMatch(v -> v.matches("\\*{15}\\d{4}")), cards.toString());
    }
}
