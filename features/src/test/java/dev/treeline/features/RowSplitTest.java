package dev.treeline.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.features.build.RowSplit;
import dev.treeline.pipelines.spec.SplitSpec;
import dev.treeline.pipelines.testing.TestSpark;
import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The row split every step shares: exact stratified shares, whole groups, and the same place for a row however it is read. */
class RowSplitTest {
    static final StructType SCHEMA = new StructType().add("customer", DataTypes.LongType).add("amount", DataTypes.DoubleType)
            .add("bad", DataTypes.IntegerType).add("day", DataTypes.DateType);

    private static Dataset<Row> table(SparkSession spark, int n) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) rows.add(RowFactory.create((long) (i % 97), i * 1.5, i % 10 < 3 ? 1 : 0, Date.valueOf("2026-01-01")));
        return spark.createDataFrame(rows, SCHEMA);
    }

    private static Map<Double, Map<String, Long>> countsByClass(Dataset<Row> assigned) {
        Map<Double, Map<String, Long>> out = new HashMap<>();
        for (Row r : assigned.groupBy(functions.col("bad").cast("double"), functions.col(RowSplit.COLUMN)).count().collectAsList()) {
            out.computeIfAbsent(r.getDouble(0), k -> new HashMap<>()).put(r.getString(1), r.getLong(2));
        }
        return out;
    }

    @Test
    void aStratifiedSplitGivesEachClassItsExactShareAndTheSameRowsHoweverTheTableIsRead() {
        SparkSession spark = TestSpark.session();
        SplitSpec split = new SplitSpec(SplitSpec.STRATIFIED, 0.15, 0.2, null, 7, null, List.of(), 0);
        Dataset<Row> t = table(spark, 2000); // 600 bad, 1400 good
        Map<Double, Map<String, Long>> c = countsByClass(RowSplit.assign(t, split, "bad = 1", "day"));
        assertEquals(120L, c.get(1.0).get("holdout"));
        assertEquals(90L, c.get(1.0).get("validation"));
        assertEquals(280L, c.get(0.0).get("holdout"));
        assertEquals(210L, c.get(0.0).get("validation"));

        // Shuffled and repartitioned: every row keeps its place.
        List<Row> once = RowSplit.assign(t, split, "bad = 1", "day").orderBy("amount").select("amount", RowSplit.COLUMN).collectAsList();
        Dataset<Row> shuffled = t.orderBy(functions.rand(5)).repartition(7);
        List<Row> again = RowSplit.assign(shuffled, split, "bad = 1", "day").orderBy("amount").select("amount", RowSplit.COLUMN).collectAsList();
        assertEquals(once, again);
        // Another seed is another split.
        SplitSpec other = new SplitSpec(SplitSpec.STRATIFIED, 0.15, 0.2, null, 8, null, List.of(), 0);
        List<Row> reseeded = RowSplit.assign(t, other, "bad = 1", "day").orderBy("amount").select("amount", RowSplit.COLUMN).collectAsList();
        assertTrue(!once.equals(reseeded));
    }

    @Test
    void aGroupSplitKeepsEveryGroupInOnePartAndFoldsCutTheRestEvenly() {
        SparkSession spark = TestSpark.session();
        SplitSpec split = new SplitSpec(SplitSpec.GROUP, 0.2, 0.2, null, 1, "customer", List.of(), 0);
        Dataset<Row> assigned = RowSplit.assign(table(spark, 3000), split, "bad = 1", "day");
        assertEquals(0L, assigned.groupBy("customer").agg(functions.countDistinct(RowSplit.COLUMN).as("parts")).filter("parts > 1").count(),
                "no customer is in two parts");
        long holdout = assigned.filter(functions.col(RowSplit.COLUMN).equalTo("holdout")).select("customer").distinct().count();
        assertTrue(holdout >= 8 && holdout <= 32, "about 20% of 97 customers held out: " + holdout);

        SplitSpec folds = new SplitSpec(SplitSpec.STRATIFIED, 0.0, 0.2, null, 1, null, List.of(), 5);
        Dataset<Row> f = RowSplit.assign(table(spark, 2000), folds, "bad = 1", "day");
        assertEquals(400L, f.filter(functions.col(RowSplit.FOLD).isNull()).count(), "holdout rows have no fold");
        for (Row r : f.filter(functions.col(RowSplit.FOLD).isNotNull()).groupBy(RowSplit.FOLD).agg(functions.count(functions.lit(1)), functions.sum("bad"))
                .collectAsList()) {
            assertEquals(320L, r.getLong(1), "fold " + r.get(0) + " has a fifth of the 1,600 rows");
            assertEquals(96L, r.getLong(2), "and a fifth of the 480 bad ones");
        }
    }
}
