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
import dev.treeline.pipelines.spec.SpecException;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input at ingestion: each case ends in quarantine with the right reason (and rows in = accepted +
 * rejected) or in one line naming the source and the fix. None loses a row silently.
 */
class BadInputTest {
    static final LocalDate DAY = LocalDate.of(2001, 1, 5);
    static final String HEADER = "date,delay,distance,origin,destination\n";
    static final String SCHEMA = "{date: timestamp, delay: long, distance: long, origin: string, destination: string}";

    @TempDir Path tmp;
    SparkSession spark;
    List<String> lines = new ArrayList<>();

    @BeforeEach
    void setUp() {
        spark = TestSpark.session();
    }

    // ---- harness ------------------------------------------------------------------------------

    Pipeline pipeline(String format, String path, String schema, String options, String params) {
        return TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), """
            pipeline: bad-input
            datasets:
              raw:
                format: %s
                path: "%s"
                %s
                %s
              curated: {partitioned_by: day}
              quarantine: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated, quarantine], params: {time_column: date, %s}}
            """.formatted(format, path, schema == null ? "" : "schema: " + schema, options == null ? "" : "options: " + options,
                params == null ? "max_reject_ratio: 1.0" : params)), Map.of());
    }

    Path csv(String name, String content) throws Exception {
        Path f = tmp.resolve("in").resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    RunOutcome ingest(Pipeline p) {
        return new PipelineRunner(TestPipelines.env(tmp.resolve("ws")), NoTracking::new, () -> spark, lines::add).run(p, DAY, RunOptions.DEFAULT);
    }

    TreelineException ingestFails(Pipeline p) {
        return assertThrows(TreelineException.class, () -> ingest(p));
    }

    Catalog catalog(Pipeline p) {
        return new Catalog(spark, p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "t");
    }

    /** The quarantined reasons (sorted), after checking rows in = accepted + rejected everywhere. */
    List<String> reasons(Pipeline p, RunOutcome o) {
        double in = o.state().number("ingest", "rows_in");
        double accepted = o.state().number("ingest", "rows_accepted");
        double rejected = o.state().number("ingest", "rows_rejected");
        assertEquals(in, accepted + rejected, "rows in = accepted + rejected");
        Catalog c = catalog(p);
        long stored = c.partitioned("quarantine").markers().values().stream().mapToLong(m -> m.rows()).sum();
        assertEquals((long) rejected, stored, "every rejected row is stored");
        long curated = c.partitioned("curated").markers().values().stream().mapToLong(m -> m.rows()).sum();
        assertEquals((long) accepted, curated, "every accepted row is stored");
        if (stored == 0) return List.of();
        return c.partitioned("quarantine").read(c.partitioned("quarantine").markers().keySet()).orderBy("reject_reason")
                .select("reject_reason").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    }

    String good(int hour) {
        return "2001-01-05 %02d:00:00,5,300,ATL,ORD\n".formatted(hour);
    }

    // ---- malformed records --------------------------------------------------------------------

    @Test
    void unbalancedQuoteIsQuarantinedWithTheRawLine() throws Exception {
        Path f = csv("a.csv", HEADER + good(1) + "\"2001-01-05 02:00:00,5,300,ATL,ORD\n" + good(3));
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, null, null);
        RunOutcome o = ingest(p);
        assertEquals(List.of("malformed CSV record: a quoted field is not closed"), reasons(p, o));
        Row bad = catalog(p).partitioned("quarantine").read(List.of(DAY)).first();
        assertEquals("\"2001-01-05 02:00:00,5,300,ATL,ORD", bad.getAs("raw_record"));
        assertTrue(((String) bad.getAs("source")).endsWith("a.csv"));
    }

    @Test
    void wrongFieldCountsAreQuarantinedWithTheCount() throws Exception {
        Path f = csv("a.csv", HEADER + good(1) + "2001-01-05 02:00:00,5,300,ATL\n" + "2001-01-05 03:00:00,5,300,ATL,ORD,EXTRA\n");
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, null, null);
        assertEquals(List.of("malformed CSV record: 4 fields, expected 5", "malformed CSV record: 6 fields, expected 5"), reasons(p, ingest(p)));
    }

    @Test
    void valueOfTheWrongTypeIsQuarantinedNamingColumnAndValue() throws Exception {
        Path f = csv("a.csv", HEADER + good(1) + "2001-01-05 02:00:00,x,300,ATL,ORD\n" + "2001-01-05 03:00:00,99999999999999999999,300,ATL,ORD\n");
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, null, null);
        assertEquals(List.of("delay = '99999999999999999999' is not a whole number that fits a long", "delay = 'x' is not a whole number that fits a long"),
                reasons(p, ingest(p)));
        Row bad = catalog(p).partitioned("quarantine").read(List.of(DAY)).orderBy("delay").first();
        assertEquals("99999999999999999999", bad.getAs("delay"), "the original value is kept");
    }

    @Test
    void missingTimestampIsQuarantined() throws Exception {
        Path f = csv("a.csv", HEADER + good(1) + ",5,300,ATL,ORD\n");
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, null, null);
        assertEquals(List.of("date is missing"), reasons(p, ingest(p)));
    }

    @Test
    void mixedTimestampFormatsParseWhenDeclaredAndQuarantineOtherwise() throws Exception {
        Path f = csv("a.csv", HEADER + good(1) + "2001-01-05T02:00:00,5,300,ATL,ORD\n" + "05/01/2001 03:00,5,300,ATL,ORD\n");
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, "{timestamp_formats: [\"yyyy-MM-dd HH:mm:ss\", \"yyyy-MM-dd'T'HH:mm:ss\"]}", null);
        assertEquals(List.of("date = '05/01/2001 03:00' matches none of the timestamp formats [yyyy-MM-dd HH:mm:ss, yyyy-MM-dd'T'HH:mm:ss]"),
                reasons(p, ingest(p)));

        Pipeline all = pipeline("csv", f.toString(), SCHEMA, "{timestamp_formats: [\"yyyy-MM-dd HH:mm:ss\", \"yyyy-MM-dd'T'HH:mm:ss\", \"dd/MM/yyyy HH:mm\"]}", null);
        RunOutcome o = new PipelineRunner(TestPipelines.env(tmp.resolve("ws2")), NoTracking::new, () -> spark, lines::add).run(all, DAY, RunOptions.DEFAULT);
        assertEquals(3.0, o.state().number("ingest", "rows_accepted"));
    }

    @Test
    void nonUtf8BytesAreQuarantined() throws Exception {
        Path f = tmp.resolve("in/a.csv");
        Files.createDirectories(f.getParent());
        byte[] bad = "2001-01-05 02:00:00,5,300,Z\u00fcR,ORD\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(f, concat((HEADER + good(1)).getBytes(StandardCharsets.UTF_8), bad));
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, null, null);
        assertEquals(List.of("origin holds bytes that are not valid UTF-8"), reasons(p, ingest(p)));
    }

    @Test
    void declaredEncodingReadsLatin1Correctly() throws Exception {
        Path f = tmp.resolve("in/a.csv");
        Files.createDirectories(f.getParent());
        Files.write(f, (HEADER + "2001-01-05 02:00:00,5,300,Z\u00fcR,ORD\n").getBytes(StandardCharsets.ISO_8859_1));
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, "{encoding: ISO-8859-1}", null);
        assertEquals(List.of(), reasons(p, ingest(p)));
        assertEquals("Z\u00fcR", catalog(p).partitioned("curated").read(List.of(DAY)).first().getAs("origin"));
    }

    @Test
    void tenMegabyteLineIsQuarantinedNotFatal() throws Exception {
        String huge = "x".repeat(10 * 1024 * 1024);
        Path f = csv("a.csv", HEADER + good(1) + "2001-01-05 02:00:00," + huge + ",300,ATL,ORD\n" + good(3));
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, null, null);
        RunOutcome o = ingest(p);
        List<String> r = reasons(p, o);
        assertEquals(1, r.size());
        assertTrue(r.get(0).startsWith("delay = 'xxxxxxxx") && r.get(0).endsWith("…' is not a whole number that fits a long"), r.get(0));
        assertTrue(r.get(0).length() < 200, "the reason is short even when the value is 10 MB");
        assertEquals(2.0, o.state().number("ingest", "rows_accepted"));
    }

    @Test
    void wrongDelimiterRejectsEverythingAndStopsAboveTheBudget() throws Exception {
        Path f = csv("a.csv", HEADER.replace(',', ';') + good(1).replace(',', ';') + good(2).replace(',', ';'));
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, "{header: false}", "max_reject_ratio: 0.1");
        TreelineException e = ingestFails(p);
        assertEquals(ExitCode.DATA, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().startsWith("step 'ingest' failed: 3 of 3 rows (100.00%) could not be read, above max_reject_ratio 10.00% of step 'ingest'; "
                + "most common: {malformed CSV record: 1 field, expected 5 (is the delimiter ',' right?)=3}; the rows are in "), e.getMessage());
        assertEquals(3, catalog(p).partitioned("quarantine").rows(DAY), "the rejected rows are kept");
        assertTrue(catalog(p).partitioned("curated").markers().isEmpty(), "nothing is published as accepted");
    }

    @Test
    void rejectsTooManyToKeepOnTheWayAreReadAgainAndEveryOneQuarantined() throws Exception {
        Path f = csv("a.csv", HEADER.replace(',', ';') + good(1).replace(',', ';') + good(2).replace(',', ';'));
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, "{header: false}", "max_reject_ratio: 0.1");
        long before = RejectSample.maxValues;
        RejectSample.maxValues = 1; // one rejected row kept at most: the others need a second read
        try {
            TreelineException e = ingestFails(p);
            assertTrue(e.getMessage().startsWith("step 'ingest' failed: 3 of 3 rows (100.00%) could not be read, above max_reject_ratio 10.00%"),
                    e.getMessage());
        } finally {
            RejectSample.maxValues = before;
        }
        assertEquals(3, catalog(p).partitioned("quarantine").rows(DAY), "every rejected row is kept, not only those the first pass could");
    }

    // ---- columns and files --------------------------------------------------------------------

    @Test
    void missingColumnIsAnErrorNamingFileColumnAndFix() throws Exception {
        Path f = csv("a.csv", "date,distance,origin,destination\n2001-01-05 01:00:00,300,ATL,ORD\n");
        TreelineException e = ingestFails(pipeline("csv", f.toString(), SCHEMA, null, null));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertEquals("step 'ingest' failed: source 'raw': file:" + f + " has no column [delay] (its header: [date, distance, origin, destination]); "
                + "fix the file or the schema in datasets.raw", e.getMessage());
    }

    @Test
    void extraAndReorderedColumnsAreMatchedByName() throws Exception {
        Path f = csv("a.csv", "origin,gate,date,destination,distance,delay\nATL,B7,2001-01-05 01:00:00,ORD,300,5\n");
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, null, null);
        RunOutcome o = ingest(p);
        assertEquals(List.of(), reasons(p, o));
        Row r = catalog(p).partitioned("curated").read(List.of(DAY)).first();
        assertEquals("ATL", r.getAs("origin"));
        assertEquals(5L, (long) r.getAs("delay"));
        assertFalse(List.of(r.schema().fieldNames()).contains("gate"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("have columns not in the schema, ignored: [gate]")), lines.toString());
    }

    @Test
    void headerlessFilesAreReadByPosition() throws Exception {
        Path f = csv("a.csv", good(1) + good(2));
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, "{header: false}", null);
        assertEquals(List.of(), reasons(p, ingest(p)));
        assertEquals(2, catalog(p).partitioned("curated").rows(DAY));
    }

    @Test
    void nullTokensBecomeNulls() throws Exception {
        Path f = csv("a.csv", HEADER + "2001-01-05 01:00:00,NA,,ATL,ORD\n");
        Pipeline p = pipeline("csv", f.toString(), SCHEMA, "{null_values: [\"\", NA]}", null);
        assertEquals(List.of(), reasons(p, ingest(p)));
        Row r = catalog(p).partitioned("curated").read(List.of(DAY)).first();
        assertTrue(r.isNullAt(r.fieldIndex("delay")) && r.isNullAt(r.fieldIndex("distance")));
    }

    @Test
    void emptyAndHeaderOnlyFilesAddNoRowsAndSayWhy() throws Exception {
        csv("empty.csv", "");
        csv("header.csv", HEADER);
        csv("good.csv", HEADER + good(1));
        Pipeline p = pipeline("csv", tmp.resolve("in").toString(), SCHEMA, null, null);
        RunOutcome o = ingest(p);
        assertEquals(List.of(), reasons(p, o));
        assertEquals(1.0, o.state().number("ingest", "rows_accepted"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("empty file file:" + tmp.resolve("in/empty.csv"))), lines.toString());
    }

    @Test
    void dayWithOnlyAnEmptyFileIsPublishedEmpty() throws Exception {
        csv("2001-01-05.csv", "");
        Pipeline p = pipeline("csv", tmp.resolve("in") + "/{date}.csv", SCHEMA, null, null);
        RunOutcome o = ingest(p);
        assertEquals(0.0, o.state().number("ingest", "rows_in"));
        assertEquals(0, catalog(p).partitioned("curated").rows(DAY), "published, with no rows");
    }

    @Test
    void rowsInAnotherDaysFileAreQuarantined() throws Exception {
        csv("2001-01-05.csv", HEADER + good(1) + "2001-01-06 01:00:00,5,300,ATL,ORD\n");
        Pipeline p = pipeline("csv", tmp.resolve("in") + "/{date}.csv", SCHEMA, null, null);
        assertEquals(List.of("date = 2001-01-06 01:00:00 is not in the file's day 2001-01-05"), reasons(p, ingest(p)));
    }

    @Test
    void jsonLinesMalformedRecordIsQuarantined() throws Exception {
        Path f = csv("a.jsonl", """
            {"date": "2001-01-05 01:00:00", "delay": 5, "distance": 300, "origin": "ATL", "destination": "ORD"}
            {"date": "2001-01-05 02:00:00", "delay": 5, "distance": 300,
            {"date": "2001-01-05 03:00:00", "delay": "late", "distance": 300, "origin": "ATL", "destination": "ORD"}
            """);
        Pipeline p = pipeline("jsonl", f.toString(), SCHEMA, null, null);
        assertEquals(List.of("delay = 'late' is not a whole number that fits a long", "malformed JSON record"), reasons(p, ingest(p)));
    }

    @Test
    void columnWhoseTypeChangesBetweenDaysIsConvertedValueByValue() throws Exception {
        Path base = tmp.resolve("days");
        spark.sql("select timestamp_ntz'2001-01-04 10:00:00' as date, 5L as delay, 300L as distance, 'ATL' as origin, 'ORD' as destination")
                .write().parquet(base.resolve("2001-01-04").toString());
        spark.sql("select timestamp_ntz'2001-01-05 10:00:00' as date, '12' as delay, 300L as distance, 'ATL' as origin, 'ORD' as destination "
                + "union all select timestamp_ntz'2001-01-05 11:00:00', 'n/a', 300L, 'ATL', 'ORD'")
                .write().parquet(base.resolve("2001-01-05").toString());
        Pipeline p = pipeline("parquet", base + "/{date}", SCHEMA, null, "max_reject_ratio: 1.0, window_days: 2");
        RunOutcome o = ingest(p);
        assertEquals(List.of("delay = 'n/a' is not a whole number that fits a long"), reasons(p, o));
        assertEquals(12L, (long) catalog(p).partitioned("curated").read(List.of(DAY)).first().getAs("delay"));
        assertEquals(2, catalog(p).partitioned("curated").markers().size());
    }

    // ---- sources that cannot be read ----------------------------------------------------------

    @Test
    void missingSourcePathNamesDatasetAndFix() {
        TreelineException e = ingestFails(pipeline("csv", tmp.resolve("nowhere").toString(), SCHEMA, null, null));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().startsWith("step 'ingest' failed: dataset 'raw' (" + tmp.resolve("nowhere") + "): does not exist"), e.getMessage());
    }

    @Test
    void unreadableParquetFileNamesTheFileAndFix() throws Exception {
        Path f = tmp.resolve("in/broken.parquet");
        Files.createDirectories(f.getParent());
        Files.write(f, "this is not parquet at all, just bytes".getBytes(StandardCharsets.UTF_8));
        TreelineException e = ingestFails(pipeline("parquet", f.toString(), null, null, null));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().contains("source 'raw' (" + f + ") is not a readable Parquet file"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void databaseThatRefusesTheConnectionIsAServiceError() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Pipeline p = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), """
            pipeline: bad-db
            datasets:
              raw: {format: jdbc, options: {url: "jdbc:postgresql://127.0.0.1:%d/flights", table: flights, user: treeline, password_env: NOPE_UNSET_PW}}
              curated: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated], params: {time_column: date}}
            """.formatted(port)), Map.of());
        TreelineException e = ingestFails(p);
        assertTrue(e.exitCode() == ExitCode.SERVICE || e.exitCode() == ExitCode.SPEC, e.exitCode() + ": " + e.getMessage());
        assertEquals("step 'ingest' failed: environment variable NOPE_UNSET_PW (password_env) is not set", e.getMessage());

        Pipeline noPassword = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec2"), """
            pipeline: bad-db
            datasets:
              raw: {format: jdbc, options: {url: "jdbc:postgresql://127.0.0.1:%d/flights", table: flights, user: treeline}}
              curated: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated], params: {time_column: date}}
            """.formatted(port)), Map.of());
        TreelineException refused = ingestFails(noPassword);
        assertEquals(ExitCode.SERVICE, refused.exitCode());
        assertEquals("step 'ingest' failed: cannot connect to jdbc:postgresql://127.0.0.1:" + port + "/flights as treeline: connection refused; "
                + "check options.url and that the database is running", refused.getMessage());
    }

    // ---- specs that cannot work ---------------------------------------------------------------

    @Test
    void csvWithoutSchemaIsRejectedWhenTheSpecLoads() {
        SpecException e = assertThrows(SpecException.class, () -> pipeline("csv", "/x.csv", null, null, null));
        assertTrue(e.getMessage().endsWith("datasets.raw: a csv source needs schema: (column: type, ...); Treeline reads files with the declared schema, never an inferred one"),
                e.getMessage());
    }

    @Test
    void jdbcPasswordInTheUrlIsRejectedWhenTheSpecLoadsInAnySpelling() {
        for (String url : List.of("jdbc:postgresql://h/db?user=a&password=secret", "jdbc:sqlserver://h;user=a;Password=secret",
                "jdbc:postgresql://a:secret@h/db")) {
            SpecException e = assertThrows(SpecException.class, () -> TestPipelines.loadText("""
                pipeline: p
                datasets:
                  raw: {format: jdbc, options: {url: "%s", table: t}}
                  c: {partitioned_by: day}
                steps:
                  - {name: ingest, inputs: [raw], outputs: [c], params: {time_column: date}}
                """.formatted(url)), url);
            assertEquals("test.yaml:3: datasets.raw.options.url: the URL holds a secret (a password or token): give the password with password_env "
                    + "or password_file instead", e.getMessage());
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
