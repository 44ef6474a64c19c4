package dev.treeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.cli.bench.WideTable;
import dev.treeline.pipelines.run.PipelineRunner;
import dev.treeline.pipelines.run.RunOptions;
import dev.treeline.pipelines.run.RunOutcome;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.testing.PostgresFixture;
import dev.treeline.pipelines.testing.TestPipelines;
import dev.treeline.pipelines.testing.TestSpark;
import dev.treeline.pipelines.tracking.NoTracking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.QueryPlan;
import org.apache.spark.sql.catalyst.trees.TreeNode;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.util.QueryExecutionListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

/**
 * Wide tables in every source format: a generated table of 50 and of 200 columns (strings, longs,
 * doubles, booleans, dates, long quoted text, nulls, an unreadable value in every 997th row of the text
 * formats) through ingest and validate. Every row is accounted for, and the plans of the ingest's write
 * grow linearly with the width: the analyzed and the optimized plan, node for node. Before, a filter on
 * the reject reason pushed into the typed projection made planning exponential in the column count
 * (a 22-column CSV never finished); the timeout only turns such a hang into a failure.
 */
class WideTableIngestTest {
    static final LocalDate START = LocalDate.of(2001, 1, 1);
    static final LocalDate DATE = START.plusDays(2);
    static final long ROWS = 3_000;

    @TempDir Path tmp;
    SparkSession spark;
    final List<long[]> writes = new ArrayList<>();
    final List<String> plans = new ArrayList<>();
    final QueryExecutionListener listener = new QueryExecutionListener() {
        @Override
        public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
            synchronized (writes) {
                plans.add(String.join(",", roots(qe.analyzed())));
            }
            // The ingest's writes: Parquet commands into a new version.
            if (funcName.equals("command") && qe.analyzed().toString().contains("/_versions/")) {
                synchronized (writes) {
                    writes.add(new long[] {nodes(qe.analyzed()), nodes(qe.optimizedPlan()), largestFilter(qe.optimizedPlan())});
                }
            }
        }

        @Override
        public void onFailure(String funcName, QueryExecution qe, Exception exception) {}
    };

    @BeforeEach
    void listen() {
        spark = TestSpark.session();
        spark.listenerManager().register(listener);
    }

    @AfterEach
    void stopListening() {
        spark.listenerManager().unregister(listener);
    }

    /** Plan nodes plus every expression node they hold. */
    static long nodes(TreeNode<?> node) {
        long n = 1;
        for (Object child : JavaConverters.seqAsJavaList(node.children())) n += nodes((TreeNode<?>) child);
        if (node instanceof QueryPlan<?> plan) {
            for (Object e : JavaConverters.seqAsJavaList(plan.expressions())) n += nodes((TreeNode<?>) e);
        }
        return n;
    }

    /** The root paths of the files a plan reads. */
    static List<String> roots(TreeNode<?> node) {
        List<String> out = new ArrayList<>();
        if (node instanceof org.apache.spark.sql.execution.datasources.LogicalRelation r
                && r.relation() instanceof org.apache.spark.sql.execution.datasources.HadoopFsRelation fs) {
            for (Object p : JavaConverters.seqAsJavaList(fs.location().rootPaths())) out.add(p.toString());
        }
        for (Object child : JavaConverters.seqAsJavaList(node.children())) out.addAll(roots((TreeNode<?>) child));
        return out;
    }

    /** Expression nodes of the largest filter condition in a plan. */
    static long largestFilter(TreeNode<?> node) {
        long max = 0;
        if (node instanceof org.apache.spark.sql.catalyst.plans.logical.Filter f) max = nodes(f.condition());
        for (Object child : JavaConverters.seqAsJavaList(node.children())) max = Math.max(max, largestFilter((TreeNode<?>) child));
        return max;
    }

    @ParameterizedTest
    @ValueSource(strings = {"csv", "jsonl", "parquet", "jdbc"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyRowIsAccountedForAndTheIngestPlanGrowsLinearlyWithTheWidth(String format) throws Exception {
        long[] narrow = ingest(format, 50);
        long[] wide = ingest(format, 200);
        // 4x the columns: at most 4x the nodes, plus a margin for the per-table constant part.
        for (int i = 0; i < 2; i++) {
            String which = i == 0 ? "analyzed" : "optimized";
            assertTrue(wide[i] <= 4.5 * narrow[i], format + ": " + which + " plan nodes " + narrow[i] + " at 50 columns, " + wide[i] + " at 200");
        }
        // No filter grows with the width: a condition over every column is what made constraint propagation exponential.
        assertEquals(narrow[2], wide[2], format + ": the largest filter condition at 50 and at 200 columns");
    }

    /** Ingests and validates the table at {@code width}; returns the largest analyzed and optimized plan of the ingest's writes. */
    long[] ingest(String format, int width) throws Exception {
        WideTable table = new WideTable(width, ROWS, START, 3);
        Path dir = tmp.resolve(format + "-" + width);
        String source;
        if (format.equals("jdbc")) {
            PostgresFixture pg = PostgresFixture.get();
            String name = "wide_" + UUID.randomUUID().toString().substring(0, 8);
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", PostgresFixture.USER);
            props.setProperty("password", PostgresFixture.PASSWORD);
            table.frame(spark).write().jdbc(pg.url(), name, props);
            source = "format: jdbc\n    options: {url: \"" + pg.url() + "\", user: " + PostgresFixture.USER + ", password_file: \"" + pg.passwordFile()
                    + "\", table: " + name + "}";
        } else {
            table.write(spark, format, dir.resolve("raw"), 2);
            source = "format: " + format + "\n    path: " + dir.resolve("raw");
        }
        Files.createDirectories(dir);
        Path contract = Files.writeString(dir.resolve("contract.yaml"), table.contractYaml());
        Pipeline p = TestPipelines.load(TestPipelines.writeSpec(dir.resolve("spec"), """
            pipeline: wide-%s-%d
            datasets:
              raw:
                %s
                schema: %s
              curated: {partitioned_by: day}
              unreadable: {partitioned_by: day}
              valid: {partitioned_by: day}
              rejects: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [curated, unreadable], params: {time_column: event_time, history_start: %s}}
              - {name: validate, inputs: [curated], outputs: [valid, rejects, report], params: {contract: %s}}
            """.formatted(format, width, source, table.schemaYaml(), START, contract)), Map.of());
        synchronized (writes) {
            writes.clear();
            plans.clear();
        }
        RunOutcome o = new PipelineRunner(TestPipelines.env(dir.resolve("ws")), NoTracking::new, () -> spark, l -> {})
                .run(p, DATE, RunOptions.DEFAULT);
        long unreadable = format.equals("csv") || format.equals("jsonl") ? table.badRows() : 0;
        assertEquals((double) ROWS, o.state().number("ingest", "rows_in"), format + " " + width + ": rows read");
        assertEquals((double) unreadable, o.state().number("ingest", "rows_rejected"), format + " " + width + ": the unreadable rows");
        assertEquals((double) (ROWS - unreadable), o.state().number("ingest", "rows_accepted"), format + " " + width);
        assertEquals((double) (ROWS - unreadable), o.state().number("validate", "rows_in"), format + " " + width + ": validate reads every accepted row");
        Double valid = o.state().number("validate", "rows_accepted");
        Double broken = o.state().number("validate", "rows_rejected");
        assertEquals((double) (ROWS - unreadable), valid + broken, format + " " + width + ": validate accounts for every row it read");
        assertEquals(0.0, broken, format + " " + width + ": the generated rows meet the contract");
        synchronized (writes) {
            // Parsing is most of an ingest's time: the source is read once, its few rejected rows kept on the way.
            if (!format.equals("jdbc")) {
                String rawDir = dir.resolve("raw").toString();
                assertEquals(1, plans.stream().filter(pl -> pl.contains(rawDir)).count(), format + " " + width + ": queries that read the source");
            }
            assertTrue(writes.size() >= 1, format + " " + width + ": the ingest's writes were seen (" + writes.size() + ")");
            System.out.println(format + " " + width + " plans (analyzed, optimized, largest filter): "
                    + writes.stream().map(java.util.Arrays::toString).toList());
            return new long[] {writes.stream().mapToLong(w -> w[0]).max().orElseThrow(), writes.stream().mapToLong(w -> w[1]).max().orElseThrow(),
                    writes.stream().mapToLong(w -> w[2]).max().orElseThrow()};
        }
    }
}
