package dev.treeline.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.PostgresFixture;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ingestion from a real PostgreSQL on loopback: windowed and partitioned reads, incremental reads by watermark. */
class JdbcIngestTest {
    static final LocalDate D = LocalDate.of(2001, 1, 3);
    @TempDir Path tmp;
    SparkSession spark;
    PostgresFixture pg;
    String table;

    @BeforeEach
    void setUp() {
        spark = TestSpark.session();
        pg = PostgresFixture.get();
        table = "flights_" + UUID.randomUUID().toString().substring(0, 8);
        pg.execute("CREATE TABLE " + table + " (id bigint primary key, date timestamp not null, delay bigint, distance bigint, "
                + "origin text, destination text, updated_at timestamp not null)");
        StringBuilder insert = new StringBuilder("INSERT INTO " + table + " VALUES ");
        int id = 0;
        for (int day = 1; day <= 3; day++) {
            for (int i = 0; i < 10; i++) {
                if (id > 0) insert.append(',');
                insert.append(String.format("(%d, '2001-01-%02d %02d:00:00', %d, %d, 'ATL', 'ORD', '2001-01-%02d 23:00:00')", ++id, day, 6 + i, i, 300 + i, day));
            }
        }
        pg.execute(insert.toString());
    }

    Pipeline pipeline(String options, String params) {
        return TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), """
            pipeline: jdbc-ingest
            datasets:
              raw:
                format: jdbc
                options: %s
              curated: {partitioned_by: day}
              quarantine: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated, quarantine], params: {time_column: date, %s}}
            """.formatted(options, params)), Map.of());
    }

    String options(String extra) {
        return "{url: \"" + pg.url() + "\", user: " + PostgresFixture.USER + ", password_file: \"" + pg.passwordFile() + "\", " + extra + "}";
    }

    Catalog catalog(Pipeline p) {
        return new Catalog(spark, p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "t");
    }

    PipelineRunner runner() {
        return new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, () -> spark, l -> {});
    }

    @Test
    void windowedPartitionedReadWritesTheWindowsDaysOnly() {
        Pipeline p = pipeline(options("table: " + table + ", partition_column: id, num_partitions: 3"), "window_days: 2");
        RunOutcome o = runner().run(p, D, RunOptions.DEFAULT);
        assertEquals(20.0, o.state().number("ingest", "rows_in"), "days 2 and 3 only");
        assertEquals(List.of(D.minusDays(1), D), List.copyOf(catalog(p).partitioned("curated").markers().keySet()));
        Row r = catalog(p).partitioned("curated").read(List.of(D)).orderBy("id").first();
        assertEquals(21L, (long) r.getAs("id"));
        assertEquals(java.time.LocalDateTime.of(2001, 1, 3, 6, 0), r.getAs("date"));
    }

    @Test
    void queryWithHistoryStartFillsEveryDay() {
        Pipeline p = pipeline(options("query: \"select id, date, delay, origin from " + table + " where delay >= 5\""), "history_start: 2001-01-01");
        RunOutcome o = runner().run(p, D, RunOptions.DEFAULT);
        assertEquals(15.0, o.state().number("ingest", "rows_accepted"));
        assertEquals(3, catalog(p).partitioned("curated").markers().size());
        assertEquals(List.of("id", "date", "delay", "origin", "day"), List.of(catalog(p).partitioned("curated").read(List.of(D)).columns()));
    }

    @Test
    void incrementalReadsOnlyChangedRowsAndMergesThemByKey() throws Exception {
        Pipeline p = pipeline(options("table: " + table + ", incremental: {watermark_column: updated_at, key: [id]}"), "window_days: 1");
        RunOutcome first = runner().run(p, D, RunOptions.DEFAULT);
        assertEquals(30.0, first.state().number("ingest", "rows_changed"));
        assertEquals(30, total(p));

        // A late update to a row of day 1, and two new rows for day 3.
        pg.execute("UPDATE " + table + " SET delay = 99, updated_at = '2001-01-04 01:00:00' WHERE id = 5",
                "INSERT INTO " + table + " VALUES (31, '2001-01-03 20:00:00', 1, 100, 'BOS', 'ORD', '2001-01-04 02:00:00'), "
                        + "(32, '2001-01-03 21:00:00', 2, 100, 'BOS', 'ORD', '2001-01-04 02:00:00')");
        RunOutcome second = runner().run(p, D.plusDays(1), RunOptions.DEFAULT);
        assertEquals(3.0, second.state().number("ingest", "rows_changed"), "only the changed rows are read");
        assertEquals(32, total(p), "the update replaced its row instead of adding one");
        Row updated = catalog(p).partitioned("curated").read(List.of(LocalDate.of(2001, 1, 1))).where("id = 5").first();
        assertEquals(99L, (long) updated.getAs("delay"));
        assertEquals("2001-01-04 02:00:00", Files.readString(tmp.resolve("ws/state/jdbc-ingest/watermark-raw.json")).replaceAll("(?s).*\"watermark\" : \"([^\"]+)\".*", "$1"));

        RunOutcome third = runner().run(p, D.plusDays(2), RunOptions.DEFAULT);
        assertTrue(third.state().step("ingest").summary.startsWith("no rows changed since watermark 2001-01-04 02:00:00"), third.state().step("ingest").summary);
    }

    /** A database that accepts the connection and never answers fails the step after the socket timeout, naming it. */
    @Test
    @Timeout(120) // a guard against the hang this test is about, not a speed target
    void aDatabaseThatNeverAnswersFailsTheStepInsteadOfHangingIt() throws Exception {
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread accept = new Thread(() -> {
                List<Socket> held = new ArrayList<>();
                try {
                    while (true) held.add(blackHole.accept()); // accepted, never answered
                } catch (IOException closed) {
                    // the test is over
                }
            });
            accept.setDaemon(true);
            accept.start();
            String url = "jdbc:postgresql://127.0.0.1:" + blackHole.getLocalPort() + "/nowhere";
            Pipeline p = pipeline("{url: \"" + url + "\", user: u, password_file: \"" + pg.passwordFile() + "\", table: t, socket_timeout_seconds: 2}",
                    "window_days: 1");
            TreelineException e = assertThrows(TreelineException.class, () -> runner().run(p, D, RunOptions.DEFAULT));
            assertEquals(ExitCode.SERVICE, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().contains("the database at " + url + " as u stopped answering (no data for options.socket_timeout_seconds 2 s)"),
                    e.getMessage());
        }
    }

    /**
     * A row committed late, with a watermark value below the last one read (a long transaction took its
     * timestamp before the previous run and committed after it): lost for good without a lookback, read
     * and merged with one.
     */
    @Test
    void aLateCommittedRowIsReadWithinTheLookbackAndLostWithoutIt() throws Exception {
        Pipeline without = pipeline(options("table: " + table + ", incremental: {watermark_column: updated_at, key: [id]}"), "window_days: 1");
        runner().run(without, D, RunOptions.DEFAULT);
        String late = "INSERT INTO " + table + " VALUES (%d, '2001-01-03 12:00:00', 7, 100, 'BOS', 'ORD', '2001-01-03 22:30:00')";
        pg.execute(String.format(late, 41));
        RunOutcome missed = runner().run(without, D.plusDays(1), RunOptions.DEFAULT);
        assertTrue(missed.state().step("ingest").summary.startsWith("no rows changed since watermark 2001-01-03 23:00:00"), missed.state().step("ingest").summary);
        assertEquals(30, total(without), "without a lookback the late row is never read");

        Pipeline with = pipeline(options("table: " + table + ", incremental: {watermark_column: updated_at, key: [id], lookback: 3600}"), "window_days: 1");
        RunOutcome found = runner().run(with, D.plusDays(2), RunOptions.DEFAULT);
        assertEquals(31, total(with), "the late row (and the rows of the last hour, read again and merged by key) are in");
        assertEquals(11.0, found.state().number("ingest", "rows_changed"), "the 10 rows of the last hour and the late one");
        assertEquals("2001-01-03 23:00:00", Files.readString(tmp.resolve("ws/state/jdbc-ingest/watermark-raw.json"))
                .replaceAll("(?s).*\"watermark\" : \"([^\"]+)\".*", "$1"), "the watermark does not go back");
        RunOutcome again = runner().run(with, D.plusDays(3), RunOptions.DEFAULT);
        assertEquals(31, total(with), "reading the lookback again changes nothing");
        assertEquals(11.0, again.state().number("ingest", "rows_changed"));
    }

    @Test
    void wrongPasswordIsRefusedWithoutShowingIt() throws Exception {
        Path wrong = tmp.resolve("pw");
        Files.writeString(wrong, "not-the-password");
        Pipeline p = pipeline("{url: \"" + pg.url() + "\", user: " + PostgresFixture.USER + ", password_file: \"" + wrong + "\", table: " + table + "}", "window_days: 1");
        TreelineException e = assertThrows(TreelineException.class, () -> runner().run(p, D, RunOptions.DEFAULT));
        assertEquals(ExitCode.SERVICE, e.exitCode());
        assertEquals("step 'ingest' failed: the database at " + pg.url() + " as treeline refused the credentials; check options.user and the password in " + wrong,
                e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password"));
    }

    @Test
    void missingTableNamesTheFix() {
        Pipeline p = pipeline(options("table: no_such_table"), "window_days: 1");
        TreelineException e = assertThrows(TreelineException.class, () -> runner().run(p, D, RunOptions.DEFAULT));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().contains("relation \"no_such_table\" does not exist; fix options.table or options.query"), e.getMessage());
    }

    long total(Pipeline p) {
        return catalog(p).partitioned("curated").markers().values().stream().mapToLong(m -> m.rows()).sum();
    }
}
