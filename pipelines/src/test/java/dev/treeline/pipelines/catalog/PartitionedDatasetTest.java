package dev.treeline.pipelines.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.SyntheticFlights;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionedDatasetTest {
    static final LocalDate D1 = LocalDate.of(2001, 1, 1);
    @TempDir Path tmp;
    SparkSession spark;
    PartitionedDataset days;

    @BeforeEach
    void setUp() {
        spark = TestSpark.session();
        Pipeline p = TestPipelines.loadText("""
            pipeline: part
            datasets:
              days: {partitioned_by: day, path: %s}
            steps:
              - {name: a, type: count, outputs: [x], params: {id: x}}
            """.formatted(tmp.resolve("days")));
        days = new Catalog(spark, p.spec(), tmp.resolve("ws"), tmp.resolve("run"), "r1").partitioned("days");
    }

    Dataset<Row> flights(int nDays, int perDay, long seed) {
        return SyntheticFlights.frame(spark, D1, nDays, perDay, seed).withColumn("day", functions.to_date(functions.col("date")));
    }

    @Test
    void replacingDaysPublishesMarkersWithExactRowCounts() {
        Map<LocalDate, Long> written = days.replace(flights(3, 10, 1), List.of(D1, D1.plusDays(1), D1.plusDays(2)), d -> "fp-" + d);
        assertEquals(Map.of(D1, 10L, D1.plusDays(1), 10L, D1.plusDays(2), 10L), written);
        assertEquals(3, days.markers().size());
        assertEquals("fp-2001-01-02", days.markers().get(D1.plusDays(1)).fingerprint());
        assertEquals(30, days.read(D1, D1.plusDays(2)).count());
        assertEquals(10, days.read(List.of(D1.plusDays(1))).count());
    }

    @Test
    void replacingOneDayLeavesTheOthersAndReplacesItExactly() {
        days.replace(flights(3, 10, 1), List.of(D1, D1.plusDays(1), D1.plusDays(2)), d -> "v1");
        Dataset<Row> newDay2 = flights(3, 7, 2).filter(functions.col("day").equalTo(functions.lit(java.sql.Date.valueOf(D1.plusDays(1)))));
        days.replace(newDay2, List.of(D1.plusDays(1)), d -> "v2");
        assertEquals(10, days.rows(D1));
        assertEquals(7, days.rows(D1.plusDays(1)));
        assertEquals("v2", days.markers().get(D1.plusDays(1)).fingerprint());
        assertEquals(27, days.read(D1, D1.plusDays(2)).count(), "no duplicates after replacing a day");
    }

    @Test
    void dayWithoutRowsIsPublishedEmpty() {
        days.replace(null, List.of(D1), d -> "none");
        assertEquals(0, days.rows(D1));
        assertTrue(Files.isDirectory(tmp.resolve("days").resolve("day=2001-01-01")));
    }

    @Test
    void dayMovedAsideByACrashIsRestoredBeforeTheNextWrite() throws Exception {
        days.replace(flights(2, 5, 1), List.of(D1, D1.plusDays(1)), d -> "v1");
        // A crash between moving day 1 aside and moving its replacement in leaves only the aside copy.
        Path day1 = tmp.resolve("days").resolve("day=2001-01-01");
        Files.move(day1, tmp.resolve("days").resolve("_old-day=2001-01-01-" + java.util.UUID.randomUUID()));
        // ... and the staging of a writer that died (its owner file names a process of this host that has exited).
        Path abandoned = Files.createDirectories(tmp.resolve("days.staging-" + java.util.UUID.randomUUID()));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(abandoned.resolve(StagingOwner.FILE), dev.treeline.pipelines.util.Json.write(new StagingOwner(StagingOwner.hostName(),
                gone.pid(), gone.info().startInstant().map(java.time.Instant::toString).orElse("x"), java.time.Instant.now().toString())));
        assertFalse(days.markers().containsKey(D1), "half-replaced day is not visible");
        Dataset<Row> day2 = flights(2, 6, 3).filter(functions.col("day").equalTo(functions.lit(java.sql.Date.valueOf(D1.plusDays(1)))));
        days.replace(day2, List.of(D1.plusDays(1)), d -> "v2");
        assertEquals(5, days.rows(D1), "the last good day 1 is back");
        assertEquals(6, days.rows(D1.plusDays(1)));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.contains("staging")).toList());
        }
    }

    @Test
    void aWriterWhoseRejectsPassTakesMinutesStillPublishesItsOwnStagedRows() throws Exception {
        PartitionedDataset.Staged staged = days.stage(flights(2, 8, 4), List.of(D1, D1.plusDays(1)));
        // Minutes pass between staging and publishing (a second pass over the rejects, a slow object store).
        ageVersions(600_000);
        assertEquals(Map.of(D1, 8L, D1.plusDays(1), 8L), staged.publish(d -> "slow"));
        assertEquals(16, days.read(D1, D1.plusDays(1)).count(), "the rows the markers promise are there");
    }

    @Test
    void anotherLiveWritersStagingIsLeftAloneHoweverOld() throws Exception {
        PartitionedDataset.Staged first = days.stage(flights(1, 5, 5), List.of(D1));
        ageVersions(600_000);
        Dataset<Row> day2 = flights(2, 6, 6).filter(functions.col("day").equalTo(functions.lit(java.sql.Date.valueOf(D1.plusDays(1)))));
        days.replace(day2, List.of(D1.plusDays(1)), d -> "second");
        assertEquals(Map.of(D1, 5L), first.publish(d -> "first"), "the first writer's staging survived the second's publish");
        assertEquals(5, days.read(List.of(D1)).count());
    }

    @Test
    void aMarkerIsNeverWrittenOverStagedFilesThatAreGone() throws Exception {
        PartitionedDataset.Staged staged = days.stage(flights(1, 5, 7), List.of(D1));
        try (var s = Files.walk(tmp)) {
            for (Path p : s.filter(p -> p.toString().contains("_versions") && p.toString().endsWith(".parquet")).toList()) Files.delete(p);
        }
        DatasetException e = org.junit.jupiter.api.Assertions.assertThrows(DatasetException.class, () -> staged.publish(d -> "x"));
        assertTrue(e.getMessage().contains("the staged files of 2001-01-01 (5 rows) are gone from "), e.getMessage());
        assertFalse(days.markers().containsKey(D1), "nothing was published");
    }

    /** Sets the modification time of every version directory back: object stores report 0, which must not read as "abandoned". */
    void ageVersions(long millis) throws Exception {
        Path versions = tmp.resolve("days").resolve("_versions");
        try (var s = Files.walk(versions)) {
            for (Path p : s.filter(Files::isDirectory).toList()) {
                Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - millis));
            }
        }
    }

    /** The data files under the dataset's root, relative to it. */
    List<String> dataFiles() throws Exception {
        Path root = tmp.resolve("days");
        try (var s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("part-")).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aDayIsPublishedByItsPointerAndTheReplacedVersionIsCollectedOnlyAfterTheGrace() throws Exception {
        days.replace(flights(2, 5, 1), List.of(D1, D1.plusDays(1)), d -> "v1");
        PartitionMarker first = days.markers().get(D1);
        assertTrue(first.data().startsWith("_versions/") && first.data().endsWith("/day=2001-01-01"), first.data());
        List<String> v1Files = dataFiles();
        assertEquals(2, v1Files.size(), v1Files.toString());

        Dataset<Row> day1 = flights(1, 7, 2);
        days.replace(day1, List.of(D1), d -> "v2");
        PartitionMarker second = days.markers().get(D1);
        assertFalse(second.data().equals(first.data()));
        assertEquals(7, days.read(List.of(D1)).count());
        assertEquals(12, days.read(D1, D1.plusDays(1)).count(), "the days come from two versions, read together");
        assertEquals(List.of(java.sql.Date.valueOf(D1), java.sql.Date.valueOf(D1.plusDays(1))),
                days.read(D1, D1.plusDays(1)).select("day").distinct().orderBy("day").as(org.apache.spark.sql.Encoders.DATE()).collectAsList(),
                "the day column comes from the directory each file sits in");
        // A reader that followed the old pointer a moment ago still finds its files: replaced data stays for the grace.
        assertTrue(Files.isDirectory(tmp.resolve("days").resolve(first.data())), "the replaced day is kept for the grace");

        // Once the grace is over, the next publish collects what was replaced, and only that.
        Path superseded = tmp.resolve("days").resolve("_superseded");
        try (var s = Files.list(superseded)) {
            for (Path e : s.toList()) {
                String n = e.getFileName().toString();
                Files.move(e, superseded.resolve((Long.parseLong(n.substring(0, n.indexOf('-'))) - DatasetVersions.GRACE_MILLIS - 1) + n.substring(n.indexOf('-'))));
            }
        }
        days.replace(null, List.of(D1.plusDays(5)), d -> "v3");
        assertFalse(Files.exists(tmp.resolve("days").resolve(first.data())), "the replaced day is collected after the grace");
        assertTrue(Files.isDirectory(tmp.resolve("days").resolve(days.markers().get(D1.plusDays(1)).data())), "its sibling day, still published, stays");
        assertEquals(12, days.read(D1, D1.plusDays(1)).count());
        try (var s = Files.list(superseded)) {
            assertEquals(0, s.count(), "the superseded entries are done");
        }
    }

    @Test
    void theVersionOfAWriterThatDiedIsCollectedExceptTheDaysItPublished() throws Exception {
        days.replace(flights(1, 5, 1), List.of(D1), d -> "v1");
        // A writer that died after staging two days and publishing one of them.
        PartitionedDataset.Staged dead = days.stage(flights(2, 3, 2), List.of(D1, D1.plusDays(1)));
        Path writers = tmp.resolve("days").resolve("_writers");
        Path entry;
        try (var s = Files.list(writers)) {
            entry = s.findFirst().orElseThrow();
        }
        String id = entry.getFileName().toString().replace(".json", "");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(entry, dev.treeline.pipelines.util.Json.write(new StagingOwner(StagingOwner.hostName(),
                gone.pid(), gone.info().startInstant().map(java.time.Instant::toString).orElse("x"), java.time.Instant.now().toString())));
        Path published = tmp.resolve("days").resolve("day=2001-01-02");
        Files.createDirectories(published);
        Files.writeString(published.resolve(PartitionMarker.FILE), dev.treeline.pipelines.util.Json.write(
                new PartitionMarker("dead", 3, java.time.Instant.now().toString(), "dead", Map.of(), "_versions/" + id + "/day=2001-01-02")));

        days.replace(null, List.of(D1.plusDays(9)), d -> "later");
        assertFalse(Files.exists(tmp.resolve("days").resolve("_versions").resolve(id).resolve("day=2001-01-01")), "its unpublished day is collected");
        assertTrue(Files.isDirectory(tmp.resolve("days").resolve("_versions").resolve(id).resolve("day=2001-01-02")), "the day it published stays");
        assertFalse(Files.exists(entry), "its writer entry is gone");
        assertEquals(5, days.read(List.of(D1)).count());
        assertEquals(3, new Catalog(spark, TestPipelines.loadText("""
            pipeline: part
            datasets:
              days: {partitioned_by: day, path: %s}
            steps:
              - {name: a, type: count, outputs: [x], params: {id: x}}
            """.formatted(tmp.resolve("days"))).spec(), tmp.resolve("ws"), tmp.resolve("run"), "r2").partitioned("days").read(List.of(D1.plusDays(1))).count());
        org.junit.jupiter.api.Assertions.assertThrows(DatasetException.class, () -> dead.publish(d -> "too late"),
                "a writer whose version was collected cannot publish over missing files");
    }

    @Test
    void aDayWrittenInPlaceByAnEarlierTreelineIsReadAndReplacedByPointer() throws Exception {
        // The layout before versions: the files beside the marker, no data field.
        days.replace(flights(1, 4, 1), List.of(D1), d -> "v1");
        PartitionMarker m = days.markers().get(D1);
        Path dayDir = tmp.resolve("days").resolve("day=2001-01-01");
        try (var s = Files.list(tmp.resolve("days").resolve(m.data()))) {
            for (Path f : s.toList()) Files.move(f, dayDir.resolve(f.getFileName()));
        }
        Files.writeString(dayDir.resolve(PartitionMarker.FILE), dev.treeline.pipelines.util.Json.write(
                new PartitionMarker(m.fingerprint(), m.rows(), m.writtenAt(), m.runId(), m.columns(), null)));
        PartitionedDataset fresh = new Catalog(spark, TestPipelines.loadText("""
            pipeline: part
            datasets:
              days: {partitioned_by: day, path: %s}
            steps:
              - {name: a, type: count, outputs: [x], params: {id: x}}
            """.formatted(tmp.resolve("days"))).spec(), tmp.resolve("ws"), tmp.resolve("run"), "r3").partitioned("days");
        assertEquals(4, fresh.read(List.of(D1)).count());
        fresh.replace(flights(1, 6, 2), List.of(D1), d -> "v2");
        assertEquals(6, fresh.read(List.of(D1)).count());
        try (var s = Files.list(dayDir)) {
            assertTrue(s.anyMatch(f -> f.getFileName().toString().startsWith("part-")), "the in-place files stay for the grace");
        }
    }
}
