package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.cli.bench.WideTable;
import dev.treeline.pipelines.run.RunState;
import dev.treeline.pipelines.run.RunStore;
import dev.treeline.pipelines.spec.ColumnType;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.registry.testing.LocalStackFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A table of another shape than the flights through every step, from the command line: 220 generated
 * columns (strings, longs, doubles, booleans, dates, long quoted text, 8% nulls, an unreadable value in
 * every 997th row) as CSV and as JSON Lines, through ingest, validate (a rule on every column), features
 * (numeric, native categorical, index and target-encoded columns), train, evaluate, register, promote
 * and push, then `treeline models verify MODEL champion`. Every row is accounted for at each step.
 */
class WideTableIntegrationTest {
    static final int WIDTH = 220;
    static final int DAYS = 19; // the window: 14 training, 3 validation and 2 holdout days
    static final long ROWS = 6_000;
    static final LocalDate START = LocalDate.of(2001, 3, 1);
    static final LocalDate DATE = START.plusDays(DAYS - 1);

    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"csv", "jsonl"})
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aWideTableGoesThroughEveryStepToAVerifiedChampion(String format) throws Exception {
        LocalStackFixture stack = LocalStackFixture.get();
        Path ws = tmp.resolve("ws");
        String mlflow = stack.environment(ws).mlflowUri();
        String model = "wide-" + format + "-" + UUID.randomUUID().toString().substring(0, 6);
        WideTable table = new WideTable(WIDTH, ROWS, START, DAYS);
        table.write(TestSpark.session(), format, tmp.resolve("raw"), 2);
        Path contract = Files.writeString(tmp.resolve("contract.yaml"), table.contractYaml());

        List<String> numeric = new ArrayList<>();
        numeric.addAll(table.columns(ColumnType.DOUBLE));
        numeric.addAll(table.columns(ColumnType.LONG));
        numeric.addAll(table.columns(ColumnType.BOOLEAN));
        List<String> categories = table.columns(ColumnType.STRING).stream().filter(c -> c.startsWith("string_")).toList();
        StringBuilder features = new StringBuilder("""
            label: label = 1
            time: {column: event_time}
            calendar: [day_of_week]
            features:
            """);
        for (String c : numeric) features.append("  ").append(c).append(": numeric\n");
        for (int i = 0; i < categories.size(); i++) {
            String encode = i == 0 ? "{encode: target, smoothing: 10}" : i == 1 ? "index" : "native";
            features.append("  ").append(categories.get(i)).append(": ").append(encode).append("\n");
        }
        String source = "format: " + format + "\npath: " + tmp.resolve("raw") + "\nschema: " + table.schemaYaml();
        Path spec = tmp.resolve("pipeline.yaml");
        Files.writeString(spec, new PublishingSpec(model, source, "event_time", contract, features.toString(), 14).yaml());

        CliTest.Result run = CliTest.run("run", spec.toString(), "--date", DATE.toString(), "--workspace", ws.toString(), "--mlflow-uri", mlflow);
        assertEquals(0, run.code(), run.err() + run.out());
        assertTrue(run.out().contains("[8/8] push: ok"), run.out());

        RunState state = new RunStore(ws.resolve("runs")).load(model, DATE);
        long unreadable = table.badRows();
        assertEquals((double) ROWS, state.number("ingest", "rows_in"), "every generated row read");
        assertEquals((double) unreadable, state.number("ingest", "rows_rejected"), "the unreadable values quarantined");
        assertEquals((double) (ROWS - unreadable), state.number("ingest", "rows_accepted"));
        assertEquals(state.number("ingest", "rows_accepted"), state.number("validate", "rows_in"), "validate reads what ingest accepted");
        assertEquals(state.number("validate", "rows_in"), state.number("validate", "rows_accepted") + state.number("validate", "rows_rejected"));
        assertEquals(0.0, state.number("validate", "rows_rejected"), "the generated rows meet their contract");
        double featureRows = state.number("features", "rows_train") + state.number("features", "rows_validation") + state.number("features", "rows_holdout");
        assertEquals(state.number("validate", "rows_accepted") - state.number("features", "rows_unlabelled"), featureRows,
                "every labelled row is in the snapshot");
        assertEquals((double) (numeric.size() + categories.size() + 1), state.number("features", "features"), "one slot per feature, plus the calendar");
        assertTrue(state.number("evaluate", "holdout_auc") > 0.6, "the model learned the label: holdout AUC " + state.number("evaluate", "holdout_auc"));

        CliTest.Result verify = CliTest.run("models", "verify", model, "champion", "--workspace", ws.toString(), "--mlflow-uri", mlflow);
        assertEquals(0, verify.code(), verify.err() + verify.out());
        assertTrue(verify.out().contains(model + " version 1 (champion) at s3://treeline-models/" + model + "/" + model + "/1/: OK"), verify.out());
        assertTrue(verify.out().contains("sample rows re-scored"), verify.out());
    }
}
