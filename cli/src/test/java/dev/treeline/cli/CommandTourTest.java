package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.testing.LocalStackFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command a user can type, run once from the command line as they would type it, against a
 * real workspace on the real local stack: a small flights pipeline run for two nights, reviewed and
 * promoted, verified, A/B tested and rolled back; a controller with a schedule, its runs, a backfill;
 * the demo on a small copy of the flights; the benchmarks at small sizes. Each command that offers
 * {@code --output json} runs in both formats. The tour is walked against picocli's command tree: a
 * command without an entry here fails {@link #everyCommandInTheTreeHasATourStop}.
 */
class CommandTourTest {
    static final LocalDate START = LocalDate.of(2001, 5, 1);
    static final LocalDate D1 = START.plusDays(16);
    static final LocalDate D2 = D1.plusDays(1);

    @TempDir Path tmp;
    String model;
    Path ws;
    String mlflow;
    Path spec;
    Path raw;
    final Map<String, String> scratch = new LinkedHashMap<>();

    /** One stop of the tour: a command path ("models ab start") and what to run and check there, in order. */
    record Stop(String command, Runnable visit) {}

    /** Every command path in the tree, e.g. "models ab start" (the root and picocli's help are "" and "help"). */
    static TreeSet<String> commandPaths() {
        TreeSet<String> out = new TreeSet<>();
        walk(Treeline.commandLine(), "", out);
        return out;
    }

    private static void walk(CommandLine cl, String path, TreeSet<String> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            String p = path.isEmpty() ? e.getKey() : path + " " + e.getKey();
            if (e.getValue().getSubcommands().isEmpty()) out.add(p);
            else walk(e.getValue(), p, out);
        }
    }

    /** Whether the command at {@code path} offers {@code --output}. */
    static boolean offersJson(String path) {
        CommandLine cl = Treeline.commandLine();
        for (String part : path.split(" ")) cl = cl.getSubcommands().get(part);
        return cl.getCommandSpec().findOption("--output") != null;
    }

    @Test
    void everyCommandInTheTreeHasATourStop() {
        TreeSet<String> toured = new TreeSet<>();
        for (Stop s : stops()) toured.add(s.command());
        assertEquals(commandPaths(), toured, "every command in 'treeline --help' (and below) has a stop on the tour, and no stop is for a command "
                + "that does not exist; add one for a new command");
    }

    /** Runs a command as a user types it; {@code json} adds --output json. Fails with the output when the exit code is not 0. */
    CliTest.Result cli(boolean json, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (json) all.addAll(List.of("--output", "json"));
        CliTest.Result r = CliTest.run(all.toArray(String[]::new));
        assertEquals(0, r.code(), String.join(" ", all) + " exited " + r.code() + ":\n" + r.out() + r.err());
        return r;
    }

    CliTest.Result cli(String... args) {
        return cli(false, args);
    }

    /** Runs the command in text, and with --output json when it offers it; checks each. */
    void both(String command, Consumer<String> text, Consumer<JsonNode> json, String... args) {
        text.accept(cli(args).out());
        assertTrue(offersJson(command), command + " offers --output json");
        String out = cli(true, args).out();
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(out);
        } catch (java.io.IOException e) {
            throw new AssertionError(command + " --output json printed more than one JSON object:\n" + out, e);
        }
        json.accept(node);
    }

    /** The one JSON object a command printed with --output json. */
    static JsonNode json(String out) {
        try {
            return Json.MAPPER.readTree(out);
        } catch (java.io.IOException e) {
            throw new AssertionError("not one JSON object:\n" + out, e);
        }
    }

    static void has(String out, String... expected) {
        for (String e : expected) assertTrue(out.contains(e), "expected '" + e + "' in:\n" + out);
    }

    String[] registry(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--workspace", ws.toString(), "--mlflow-uri", mlflow));
        return all.toArray(String[]::new);
    }

    String[] runArgs(LocalDate date, String... params) {
        List<String> all = new ArrayList<>(List.of("run", spec.toString(), "--date", date.toString(), "--workspace", ws.toString(),
                "--mlflow-uri", mlflow, "--param", "APPROVAL=manual"));
        for (String p : params) all.addAll(List.of("--param", p));
        return all.toArray(String[]::new);
    }

    void prepare() {
        model = "tour-" + UUID.randomUUID().toString().substring(0, 8);
        ws = tmp.resolve("ws");
        mlflow = LocalStackFixture.get().environment(ws).mlflowUri();
        raw = SyntheticFlights.write(TestSpark.session(), tmp.resolve("raw"), START, 19, 600, 31);
        spec = TestPipelines.writeSpec(tmp.resolve("spec"), TestPipelines.publishingFlightsSpec(raw, 14, model, "tour"));
    }

    List<Stop> stops() {
        List<Stop> s = new ArrayList<>();
        s.add(new Stop("help", () -> has(cli("help", "models").out(), "Usage: treeline models", "verify")));
        s.add(new Stop("steps", () -> both("steps", out -> has(out, "ingest", "xgboost_train", "push"),
                j -> assertTrue(j.isArray() && j.size() >= 9, j.toString()), "steps")));
        s.add(new Stop("validate-spec", () -> has(cli("validate-spec", spec.toString()).out(), "valid pipeline '" + model + "'")));
        s.add(new Stop("contract infer", () -> has(cli("contract", "infer", raw.toString(), "--sample-rows", "2000").out(),
                "columns:", "delay:", "origin:")));
        // Two nights: a deliberately weak model first, then a good one that passes the gate; both wait for a person.
        s.add(new Stop("run", () -> {
            has(cli(runArgs(D1, "ROUNDS=1", "DEPTH=1")).out(), "[9/9] push: ok", "PendingManualApproval");
            has(cli(runArgs(D2)).out(), "[9/9] push: ok", "MLflow run: ");
            has(cli(runArgs(D2)).out(), "already succeeded");
        }));
        s.add(new Stop("validate", () -> both("validate", out -> has(out, "flights " + D2 + ": PASS", "rows checked", "report: "),
                j -> assertEquals("pass", j.path("status").asText(), j.toString()),
                "validate", spec.toString(), "--date", D2.toString(), "--workspace", ws.toString(), "--mlflow-uri", mlflow)));
        s.add(new Stop("tune", () -> both("tune", out -> has(out, "best: trial ", "to keep them, set in step 'train' params: {"),
                j -> assertEquals(2, j.path("trials").size(), j.toString()),
                "tune", spec.toString(), "--date", D2.toString(), "--trials", "2", "--workspace", ws.toString(), "--mlflow-uri", mlflow,
                "--param", "ROUNDS=8")));
        s.add(new Stop("models list", () -> both("models list", out -> has(out, "version", "PendingManualApproval", "challenger"),
                j -> assertEquals(2, j.path("versions").size(), j.toString()), registry("models", "list", model))));
        s.add(new Stop("models approve", () -> {
            has(cli(registry("models", "approve", model, "1", "--comment", "baseline")).out(), model + " version 1: Approved by ");
            JsonNode approved = json(cli(true, registry("models", "approve", model, "challenger", "--comment", "better on the same holdout")).out());
            assertEquals("2", approved.path("version").asText(), approved.toString());
            assertEquals("Approved", approved.path("approval").asText(), approved.toString());
        }));
        s.add(new Stop("models promote", () -> {
            has(cli(registry("models", "promote", model, "1")).out(), model + ": champion is now version 1");
            JsonNode promoted = json(cli(true, registry("models", "promote", model, "challenger")).out());
            assertEquals(List.of("2", "1"), List.of(promoted.path("champion").asText(), promoted.path("previous").asText()), promoted.toString());
            assertTrue(promoted.path("serving").asText().endsWith("/champion.json"), promoted.toString());
        }));
        s.add(new Stop("models show", () -> both("models show", out -> has(out, model + " version 2", "champion", "treeline.spec_hash"),
                j -> assertEquals("2", j.path("version").asText(), j.toString()), registry("models", "show", model, "@champion"))));
        s.add(new Stop("models verify", () -> both("models verify", out -> has(out, model + " version 2 (champion) at s3://treeline-models/tour/",
                "files match manifest.json", "sample rows re-scored"), j -> assertTrue(j.path("ok").asBoolean(), j.toString()),
                registry("models", "verify", model, "champion"))));
        s.add(new Stop("score", () -> {
            // The champion (version 2) from S3, on the night's validated flights, with its aggregates from the spec's workspace.
            String o = cli(registry("score", model, "--spec", spec.toString(), "--input", "flights_valid", "--date", D2.toString(), "--output",
                    tmp.resolve("scored").toString(), "--pass-through", "origin")).out();
            has(o, "scored 600 of 600 rows with " + model + " version 2 (champion.json) -> ", "/scored/day=" + D2, "MLflow run: ");
        }));
        s.add(new Stop("models rollback", () -> {
            JsonNode back = json(cli(true, registry("models", "rollback", model)).out());
            assertEquals(List.of("2", "1"), List.of(back.path("rolled_back_from").asText(), back.path("champion").asText()), back.toString());
        }));
        s.add(new Stop("models ab start", () -> has(cli(registry("models", "ab", "start", model, "--challenger", "2", "--traffic", "10")).out(),
                "challenger", "10%")));
        s.add(new Stop("models ab status", () -> both("models ab status", out -> has(out, "A/B test", "running"),
                j -> assertEquals(2, j.path("variants").size(), j.toString()), registry("models", "ab", "status", model))));
        s.add(new Stop("models ab stop", () -> has(cli(registry("models", "ab", "stop", model, "--abort", "--comment", "tour")).out(), "aborted")));
        s.add(new Stop("models reject", () -> has(cli(registry("models", "reject", model, "2", "--comment", "tour")).out(),
                model + " version 2: Rejected by ")));
        scheduler(s);
        local(s);
        bench(s);
        return s;
    }

    /** A controller in its own process with a schedule of a one-step pipeline, the commands that read and steer it, and a backfill. */
    void scheduler(List<Stop> s) {
        String name = "tour-pulse";
        Path file = tmp.resolve("schedule.yaml");
        Path sws = tmp.resolve("sched-ws");
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        List<Process> controller = new ArrayList<>();
        s.add(new Stop("scheduler start", () -> {
            Path pipeline = TestPipelines.writeSpec(tmp.resolve("pulse"), """
                pipeline: %s
                steps:
                  - {name: a, type: count, outputs: [x], params: {id: %s, sleep_seconds: 2}}
                """.formatted(name, name));
            try {
                Files.writeString(file, """
                    controller: {metrics_port: 0, checkin_interval_millis: 1000}
                    schedules:
                      - name: %s
                        pipeline: %s
                        cron: "0 0 3 1 1 ? 2099"
                    """.formatted(name, pipeline));
                List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
                ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("--add-opens")).forEach(cmd::add);
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Treeline.class.getName(), "scheduler", "start", file.toString(),
                        "--workspace", sws.toString(), "--mlflow-uri", mlflow));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                controller.add(p);
                Thread reader = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) out.add(line);
                    } catch (java.io.IOException ignored) {
                        // the process ended
                    }
                });
                reader.setDaemon(true);
                reader.start();
                await(() -> out.stream().anyMatch(l -> l.startsWith("Controller running with 1 schedule")), "the controller to start: " + out);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }));
        String[] sched = {"-s", file.toString(), "--workspace", sws.toString()};
        s.add(new Stop("scheduler status", () -> both("scheduler status", o -> has(o, name, "2099-01-01T03:00:00Z"),
                j -> assertEquals(1, j.path("schedules").size(), j.toString()), concat(new String[] {"scheduler", "status"}, sched))));
        s.add(new Stop("scheduler pause", () -> has(cli(concat(new String[] {"scheduler", "pause", name}, sched)).out(), "schedule " + name + ": paused")));
        s.add(new Stop("scheduler resume", () -> has(cli(concat(new String[] {"scheduler", "resume", name}, sched)).out(), "schedule " + name + ": resumed")));
        s.add(new Stop("scheduler trigger", () -> {
            String o = cli(concat(new String[] {"scheduler", "trigger", name, "--date", "2001-01-01"}, sched)).out();
            has(o, "queued run ", " of " + name + " for 2001-01-01");
            scratch.put("run", runIdIn(o));
            await(() -> cli(concat(new String[] {"runs", "show", scratch.get("run")}, sched)).out().contains(" succeeded "), "the triggered run");
        }));
        s.add(new Stop("runs list", () -> both("runs list", o -> has(o, scratch.get("run"), "succeeded"),
                j -> assertTrue(j.path("runs").size() >= 1, j.toString()), concat(new String[] {"runs", "list"}, sched))));
        s.add(new Stop("runs show", () -> both("runs show", o -> has(o, "run " + scratch.get("run") + ": " + name + " 2001-01-01 succeeded"),
                j -> assertEquals(scratch.get("run"), j.path("run_id").asText(), j.toString()), concat(new String[] {"runs", "show", scratch.get("run")}, sched))));
        s.add(new Stop("backfill", () -> {
            both("backfill", o -> has(o, "2001-01-02", "run(s) queued"), j -> assertEquals(2, j.path("dates").size(), j.toString()),
                    concat(new String[] {"backfill", name, "--from", "2001-01-02", "--to", "2001-01-03"}, sched));
        }));
        s.add(new Stop("runs cancel", () -> {
            // A run queued for a date of its own, cancelled at once (queued or just started: both are answers).
            String o = cli(concat(new String[] {"scheduler", "trigger", name, "--date", "2001-02-01"}, sched)).out();
            scratch.put("cancelled", runIdIn(o));
            has(cli(concat(new String[] {"runs", "cancel", scratch.get("cancelled")}, sched)).out(), "run " + scratch.get("cancelled") + ": cancel");
            await(() -> cli(concat(new String[] {"runs", "show", scratch.get("cancelled")}, sched)).out().matches("(?s).* (cancelled|succeeded) .*"),
                    "the cancelled run to end");
        }));
        s.add(new Stop("runs retry", () -> {
            String o = cli(concat(new String[] {"runs", "retry", scratch.get("cancelled")}, sched)).out();
            has(o, "queued run ", " for " + name + " 2001-02-01");
            String retried = runIdIn(o);
            await(() -> cli(concat(new String[] {"runs", "show", retried}, sched)).out().contains(" succeeded "), "the retried run");
        }));
        s.add(new Stop("scheduler doctor", () -> {
            both("scheduler doctor", o -> has(o, "no stuck triggers"), j -> assertEquals(0, j.path("stuck").size(), j.toString()),
                    concat(new String[] {"scheduler", "doctor", "--dry-run"}, sched));
            for (Process p : controller) {
                p.destroy();
                try {
                    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the controller stops on SIGTERM");
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }));
    }

    /** The demo on a small copy of the flights, on a local stack of its own started with `local up` and stopped with `local down`. */
    void local(List<Stop> s) {
        Path dws = tmp.resolve("demo-ws");
        String mlflowPort = Integer.toString(LocalStack.freePort());
        String s3Port = Integer.toString(LocalStack.freePort());
        String[] stack = {"--workspace", dws.toString(), "--mlflow-port", mlflowPort, "--s3-port", s3Port};
        s.add(new Stop("local up", () -> has(cli(concat(new String[] {"local", "up"}, stack)).out(), "Local stack is up:",
                "http://127.0.0.1:" + mlflowPort, "http://127.0.0.1:" + s3Port)));
        s.add(new Stop("demo", () -> {
            // The example's contract wants 5,000 to 40,000 flights a day, as the real data has.
            Path flights = SyntheticFlights.write(TestSpark.session(), tmp.resolve("flights"), LocalDate.of(2001, 1, 1), 153, 5_000, 5);
            // Two nights: the second one's monitor judges the first night's scores on their labels.
            String o = cli(concat(new String[] {"demo", "--data", flights.toString(), "--dates", "2001-06-01,2001-06-02"}, stack)).out();
            has(o, "flights-delay 2001-06-01", "Champion:", "MLflow UI:", "http://127.0.0.1:" + mlflowPort + "/#/experiments/",
                    "Scored:     2001-06-02: ", "flights with the champion read from S3 (0 rejected)", "Monitored:  2001-06-01 on its labels: realised AUC 0.");
            assertTrue(o.lines().count() <= 60, "the demo fits on one screen:\n" + o);
        }));
        s.add(new Stop("models monitor", () -> both("models monitor", o -> has(o, "DAY", "2001-06-01  ", "WINDOW AUC"),
                j -> assertEquals("2001-06-01", j.path("days").get(0).path("day").asText(), j.toString()),
                concat(new String[] {"models", "monitor", "flights-delay"}, new String[] {"--workspace", dws.toString()}))));
        s.add(new Stop("local status", () -> both("local status", o -> has(o, "mlflow", "s3", "healthy"),
                j -> assertEquals(2, j.path("services").size(), j.toString()), concat(new String[] {"local", "status"}, stack))));
        s.add(new Stop("local down", () -> has(cli(concat(new String[] {"local", "down"}, stack)).out(), "Stopped MLflow (pid ", "), S3Proxy (pid ")));
    }

    /** The benchmarks at small sizes: what they print, not how fast they are. */
    void bench(List<Stop> s) {
        String[] common = {"--workspace", tmp.resolve("bench-ws").toString()};
        s.add(new Stop("bench ingest", () -> both("bench ingest", o -> has(o, "csv, 12 columns: Treeline ingest + validate", "target:"),
                j -> assertEquals(4, j.path("results").size(), j.toString()),
                concat(new String[] {"bench", "ingest", "--columns", "12", "--rows", "3000"}, common))));
        // The benchmarks' date is 2001-06-30: a small pipeline of the flights' shape around it, instead of the example's 3 million rows.
        Path flights = tmp.resolve("bench-flights");
        Path benchSpec = tmp.resolve("bench-spec").resolve("pipeline.yaml");
        s.add(new Stop("bench features", () -> {
            SyntheticFlights.write(TestSpark.session(), flights, LocalDate.of(2001, 5, 1), 62, 60, 9);
            TestPipelines.writeSpec(benchSpec.getParent(), TestPipelines.publishingFlightsSpec(flights, 14, "tour-bench", "tourbench"));
            both("bench features", o -> has(o, "nightly update"), j -> assertEquals(2, j.path("results").size(), j.toString()),
                    concat(new String[] {"bench", "features", "--data", flights.toString(), "--spec", benchSpec.toString()}, common));
        }));
        s.add(new Stop("bench train", () -> both("bench train", o -> has(o, "native"), j -> assertTrue(j.path("results").size() >= 3, j.toString()),
                concat(new String[] {"bench", "train", "--data", flights.toString(), "--spec", benchSpec.toString(), "--rows", "2000", "--rounds", "5",
                        "--gbt-trees", "2"}, common))));
        s.add(new Stop("bench score", () -> both("bench score", o -> has(o, "native XGBoost inplace_predict (baseline)", "rows/s/core",
                        "Treeline score step: read, features, predict, write", "stock XGBoost4J-Spark transform"),
                j -> {
                    assertEquals(5, j.path("results").size(), j.toString());
                    assertTrue(j.path("results").get(1).path("rows_per_second_per_core").asLong() > 0, j.toString());
                },
                concat(new String[] {"bench", "score", "--data", flights.toString(), "--spec", benchSpec.toString()}, common))));
        s.add(new Stop("bench quality", () -> both("bench quality", o -> has(o, "smooth_additive · treeline", "smooth_additive · native_default",
                        "smooth_additive · limit", "gap to limit: AUC"),
                j -> {
                    assertEquals(3, j.path("results").size(), j.toString());
                    List<String> contenders = new java.util.ArrayList<>();
                    for (JsonNode r : j.path("results")) {
                        assertEquals("smooth_additive", r.path("dataset").asText(), r.toString());
                        assertTrue(r.path("auc").asDouble() > 0.6 && r.path("auc").asDouble() < 1.0, r.toString());
                        assertTrue(r.path("logloss").asDouble() > 0.1, r.toString());
                        contenders.add(r.path("contender").asText());
                    }
                    assertEquals(List.of("treeline", "native_default", "limit"), contenders);
                },
                concat(new String[] {"bench", "quality", "--datasets", "smooth_additive", "--rows", "3000", "--trials", "2", "--budget-minutes", "1"}, common))));
    }

    @Test
    void theTourRunsEveryCommandAsAUserTypesIt() {
        prepare();
        // Where ./treeline says the clone is (examples/ for the demo and the benchmarks).
        String home = System.getProperty("treeline.home");
        System.setProperty("treeline.home", Path.of("..").toAbsolutePath().normalize().toString());
        try {
            for (Stop stop : stops()) {
                long started = System.nanoTime();
                try {
                    stop.visit().run();
                    // Where the tour's minutes go, for whoever makes the suite faster.
                    System.err.printf("tour stop '%s': %.1f s%n", stop.command(), (System.nanoTime() - started) / 1e9);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("tour stop '" + stop.command() + "': " + e.getMessage(), e);
                }
            }
        } finally {
            if (home == null) System.clearProperty("treeline.home");
            else System.setProperty("treeline.home", home);
        }
    }

    static String runIdIn(String out) {
        Matcher m = Pattern.compile("run (\\S+)").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static void await(java.util.function.BooleanSupplier done, String what) {
        long deadline = System.currentTimeMillis() + 180_000;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
