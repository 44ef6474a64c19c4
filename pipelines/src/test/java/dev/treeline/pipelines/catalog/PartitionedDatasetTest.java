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
        try (var s = Files.list(tmp)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("days.staging-")).toList()) {
                Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 600_000));
            }
        }
        assertEquals(Map.of(D1, 8L, D1.plusDays(1), 8L), staged.publish(d -> "slow"));
        assertEquals(16, days.read(D1, D1.plusDays(1)).count(), "the rows the markers promise are there");
    }

    @Test
    void anotherLiveWritersStagingIsLeftAloneHoweverOld() throws Exception {
        PartitionedDataset.Staged first = days.stage(flights(1, 5, 5), List.of(D1));
        try (var s = Files.list(tmp)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("days.staging-")).toList()) {
                Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 600_000));
            }
        }
        Dataset<Row> day2 = flights(2, 6, 6).filter(functions.col("day").equalTo(functions.lit(java.sql.Date.valueOf(D1.plusDays(1)))));
        days.replace(day2, List.of(D1.plusDays(1)), d -> "second");
        assertEquals(Map.of(D1, 5L), first.publish(d -> "first"), "the first writer's staging survived the second's publish");
        assertEquals(5, days.read(List.of(D1)).count());
    }

    @Test
    void aMarkerIsNeverWrittenOverStagedFilesThatAreGone() throws Exception {
        PartitionedDataset.Staged staged = days.stage(flights(1, 5, 7), List.of(D1));
        try (var s = Files.walk(tmp)) {
            for (Path p : s.filter(p -> p.toString().contains("days.staging-") && p.toString().endsWith(".parquet")).toList()) Files.delete(p);
        }
        DatasetException e = org.junit.jupiter.api.Assertions.assertThrows(DatasetException.class, () -> staged.publish(d -> "x"));
        assertTrue(e.getMessage().contains("the staged files of 2001-01-01 (5 rows) are gone from "), e.getMessage());
        assertFalse(days.markers().containsKey(D1), "nothing was published");
    }
}
