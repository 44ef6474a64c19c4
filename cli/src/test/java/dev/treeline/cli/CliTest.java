package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: help, version, exit codes and one-line errors. */
class CliTest {
    @TempDir Path tmp;

    record Result(int code, String out, String err) {}

    /** Runs the command line with standard output and error captured (picocli writes to both). */
    static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cl = Treeline.commandLine();
            cl.setOut(new PrintWriter(System.out, true));
            cl.setErr(new PrintWriter(System.err, true));
            int code = cl.execute(args);
            cl.getOut().flush();
            cl.getErr().flush();
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void helpListsEveryCommandWithOneLine() {
        Result r = run("--help");
        assertEquals(0, r.code());
        for (String c : List.of("demo", "run", "local", "scheduler", "steps", "validate-spec", "models")) {
            Matcher m = Pattern.compile("(?m)^  " + c + "\\s+(\\S.*)$").matcher(r.out());
            assertTrue(m.find(), c + " missing from:\n" + r.out());
            int next = r.out().indexOf('\n', m.end()) + 1;
            assertFalse(r.out().substring(next).startsWith("     "), c + "'s description wraps onto a second line:\n" + r.out());
        }
    }

    @Test
    void versionNamesTreelineSparkAndXgboost() {
        Result r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("Treeline 0.1.0-SNAPSHOT\nSpark 3.5.9 (Scala 2.12)\nXGBoost 3.4.0 (xgboost4j-spark"), "[" + r.out() + "][" + r.err() + "]");
    }

    @Test
    void badSpecIsOneLineWithExitCode3AndNoStackTrace() throws Exception {
        Path spec = tmp.resolve("p.yaml");
        Files.writeString(spec, "pipeline: p\nsteps:\n  - {name: a, type: ingst}\n");
        Result r = run("validate-spec", spec.toString());
        assertEquals(ExitCode.SPEC.code(), r.code());
        String[] lines = r.err().split("\n");
        assertEquals(2, lines.length, r.err());
        assertTrue(lines[0].startsWith("error: " + spec + ":3: steps[0].type: unknown step type 'ingst' (did you mean 'ingest'?); expected one of: "),
                lines[0]);
        assertTrue(lines[0].endsWith("evaluate, features, ingest, monitor, promote, push, register, score, validate, xgboost_train"), lines[0]);
        assertEquals("(run with --stacktrace for details)", lines[1]);
        Result traced = run("validate-spec", spec.toString(), "--stacktrace");
        assertTrue(traced.err().contains("\tat dev.treeline."), "--stacktrace prints the trace");
    }

    @Test
    void paramsComeFromAFileWithDashPOnTop() throws Exception {
        Path spec = tmp.resolve("p.yaml");
        Files.writeString(spec, "pipeline: p\ndatasets:\n  raw: {path: \"${DATA}\"}\n  d: {partitioned_by: day}\n"
                + "steps:\n  - {name: \"${STEP}\", type: ingest, inputs: [raw], outputs: [d], params: {time_column: date}}\n");
        Path params = tmp.resolve("params.properties");
        Files.writeString(params, "# the data and the step's name\nDATA=/data/from-file\nSTEP=from_file\n");
        Result r = run("validate-spec", spec.toString(), "--param-file", params.toString(), "-p", "STEP=from_flag");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  from_flag: ingest([raw]) -> [d]"), r.out());
        Result missing = run("validate-spec", spec.toString(), "--param-file", tmp.resolve("nope.properties").toString());
        assertEquals(ExitCode.USAGE.code(), missing.code());
        assertTrue(missing.err().startsWith("error: --param-file " + tmp.resolve("nope.properties") + ": cannot read"), missing.err());
    }

    @Test
    void unknownOptionIsAUsageErrorWithASuggestion() {
        Result r = run("run", "x.yaml", "--dat", "2001-06-01");
        assertEquals(ExitCode.USAGE.code(), r.code());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains("--date"), "suggests --date: " + r.err());
        assertTrue(r.err().trim().endsWith("Run 'treeline run --help' for usage."), r.err());
    }

    @Test
    void unreachableMlflowIsAServiceErrorBeforeAnyWork() throws Exception {
        Path spec = tmp.resolve("p.yaml");
        Files.writeString(spec, "pipeline: p\ndatasets:\n  raw: {path: " + tmp + "}\n  d: {partitioned_by: day}\n"
                + "steps:\n  - {name: ingest, inputs: [raw], outputs: [d], params: {time_column: date}}\n");
        int port = dev.treeline.registry.local.LocalStack.freePort();
        Result r = run("run", spec.toString(), "--date", "2001-06-01", "--workspace", tmp.resolve("ws").toString(),
                "--mlflow-uri", "http://127.0.0.1:" + port);
        assertEquals(ExitCode.SERVICE.code(), r.code(), r.err());
        assertEquals("error: MLflow is not reachable at http://127.0.0.1:" + port
                + "; start the local stack with 'treeline local up' or point MLFLOW_TRACKING_URI at your server", r.err().lines().findFirst().orElse(""));
        assertFalse(Files.exists(tmp.resolve("ws/data")), "no data was written");
        assertFalse(Files.exists(tmp.resolve("ws/runs/p/2001-06-01/state.json")), "no run state was created");
    }

    @Test
    void everySubcommandTakesHelp() {
        for (String[] args : List.of(new String[] {"run", "--help"}, new String[] {"bench", "features", "--help"},
                new String[] {"local", "up", "--help"}, new String[] {"models", "ab", "start", "--help"}, new String[] {"models", "verify", "--help"})) {
            Result r = run(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: treeline " + args[0]), r.out());
        }
    }

    @Test
    void stepsListsEveryTypeAsJson() {
        Result r = run("steps", "--output", "json");
        assertEquals(0, r.code());
        for (String t : List.of("ingest", "validate", "aggregates", "features", "xgboost_train", "evaluate", "register", "promote", "push")) {
            assertTrue(r.out().contains("\"type\" : \"" + t + "\""), t);
        }
    }

    @Test
    void shippedExampleSpecIsValid() {
        Result r = run("validate-spec", "../examples/flights/pipeline.yaml", "-p", "TREELINE_DATA=/data/flights.parquet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("valid pipeline 'flights-delay'"), r.out());
        assertEquals(11, Arrays.stream(r.out().split("\n")).filter(l -> l.startsWith("  ")).count(), r.out());
        assertTrue(r.out().contains("monitor: monitor([flight_scores, flights_valid, flight_aggregates]) -> [flight_monitoring]"), r.out());
        assertTrue(r.out().contains("aggregates: aggregates([flights_valid]) -> [flight_partials, flight_aggregates]"), r.out());
    }

    @Test
    void exitCodeTableInDocsMatchesTheCode() throws Exception {
        String doc = Files.readString(Path.of("../docs/exit-codes.md"));
        for (ExitCode c : ExitCode.values()) {
            assertTrue(doc.contains("| " + c.code() + " | `" + c.name() + "` | " + c.meaning() + " |"),
                    "docs/exit-codes.md lacks the row for " + c);
        }
    }
}
