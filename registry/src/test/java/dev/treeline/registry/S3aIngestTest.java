package dev.treeline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import dev.treeline.registry.local.LocalStack;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.testing.LocalStackFixture;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Ingestion from s3a:// through Spark's Hadoop client, against the real S3 API of the local stack. */
class S3aIngestTest {
    @TempDir Path tmp;

    @Test
    void dailyCsvFilesInABucketAreIngestedDayByDayAndLateFilesPickedUpOnRerun() {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        String prefix = "landing-" + UUID.randomUUID().toString().substring(0, 8);
        String header = "date,delay,distance,origin,destination\n";
        try (S3Client s3 = S3Clients.create(env.s3())) {
            put(s3, prefix + "/2001-01-01/part-1.csv", header + "2001-01-01 10:00:00,5,300,ATL,ORD\n2001-01-01 11:00:00,x,300,ATL,ORD\n");
            put(s3, prefix + "/2001-01-02/part-1.csv", header + "2001-01-02 10:00:00,7,300,ATL,ORD\n");
            Pipeline p = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), """
                pipeline: s3a-ingest
                datasets:
                  raw:
                    format: csv
                    path: "s3a://%s/%s/{date}/*.csv"
                    schema: {date: timestamp, delay: long, distance: long, origin: string, destination: string}
                  curated: {partitioned_by: day}
                  quarantine: {partitioned_by: day}
                steps:
                  - {name: ingest, inputs: [raw], outputs: [curated, quarantine], params: {time_column: date, history_start: 2001-01-01, max_reject_ratio: 1.0}}
                """.formatted(LocalStack.DEFAULT_BUCKET, prefix)), Map.of());
            PipelineRunner runner = new PipelineRunner(env, NoTracking::new, TestSpark::session, l -> {});
            LocalDate d2 = LocalDate.of(2001, 1, 2);
            RunOutcome o = runner.run(p, d2, RunOptions.DEFAULT);
            assertEquals(3.0, o.state().number("ingest", "rows_in"));
            assertEquals(1.0, o.state().number("ingest", "rows_rejected"));
            Catalog c = new Catalog(TestSpark.session(), p.spec(), env.workspace(), tmp.resolve("run"), "t");
            assertEquals(1, c.partitioned("curated").rows(d2));
            String source = c.partitioned("quarantine").read(List.of(LocalDate.of(2001, 1, 1))).first().getAs("source");
            assertTrue(source.startsWith("s3a://" + LocalStack.DEFAULT_BUCKET + "/" + prefix + "/2001-01-01/"), source);

            // A file for day 2 arrives late: rerunning day 2 (a backfill) replaces exactly that day.
            put(s3, prefix + "/2001-01-02/part-2.csv", header + "2001-01-02 12:00:00,9,300,ATL,ORD\n");
            RunOutcome again = runner.run(p, d2, new RunOptions(true, null, null));
            assertEquals(1.0, again.state().number("ingest", "days_written"), "only day 2 changed");
            assertEquals(2, c.partitioned("curated").rows(d2));
            assertEquals(1, c.partitioned("curated").rows(LocalDate.of(2001, 1, 1)));
        }
    }

    @Test
    void missingBucketPathIsAOneLineDataError() {
        Environment env = LocalStackFixture.get().environment(tmp.resolve("ws"));
        Pipeline p = TestPipelines.load(TestPipelines.writeSpec(tmp.resolve("spec"), """
            pipeline: s3a-missing
            datasets:
              raw: {format: parquet, path: "s3a://%s/nothing-here-%s/"}
              curated: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated], params: {time_column: date}}
            """.formatted(LocalStack.DEFAULT_BUCKET, UUID.randomUUID())), Map.of());
        PipelineRunner runner = new PipelineRunner(env, NoTracking::new, TestSpark::session, l -> {});
        TreelineException e = org.junit.jupiter.api.Assertions.assertThrows(TreelineException.class, () -> runner.run(p, LocalDate.of(2001, 1, 1), RunOptions.DEFAULT));
        assertTrue(e.getMessage().startsWith("step 'ingest' failed: dataset 'raw' (s3a://" + LocalStack.DEFAULT_BUCKET + "/nothing-here-"), e.getMessage());
        assertTrue(e.getMessage().contains("): does not exist; check datasets.raw.path in "), e.getMessage());
    }

    private static void put(S3Client s3, String key, String body) {
        s3.putObject(b -> b.bucket(LocalStack.DEFAULT_BUCKET).key(key), RequestBody.fromString(body));
    }
}
