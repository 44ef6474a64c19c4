package dev.treeline.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.testing.TestSpark;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/** The input check (rows the model can read, rejects with a reason) and the A/B bucket, on Spark. */
class BatchScorerInputTest {
    final SparkSession spark = TestSpark.session();

    Dataset<Row> rows() {
        return spark.sql("SELECT * FROM VALUES ('a', '10', 1), ('b', 'far', 2), ('c', NULL, 3), ('d', '7.5', 4) AS t(id, distance, n)");
    }

    @Test
    void valuesThatDoNotConvertAreRejectedWithTheValueAndTheRestConverted() {
        Map<String, DataType> want = new LinkedHashMap<>();
        want.put("distance", DataTypes.LongType);
        want.put("n", DataTypes.IntegerType);
        InputCheck.Checked c = InputCheck.check(rows(), want);
        assertEquals(List.of("column 'distance': value 'far' is not bigint"), c.rejected().select(InputCheck.REASON).as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList());
        assertEquals(DataTypes.LongType, c.accepted().schema().apply("distance").dataType());
        // A null stays a missing value (XGBoost's), not a reject; '7.5' casts to 7 as Spark casts text to a long.
        assertEquals(3, c.accepted().count());
        assertEquals(4, c.accepted().count() + c.rejected().count(), "rows in = accepted + rejected");
    }

    @Test
    void aMissingColumnRejectsEveryRowNamingIt() {
        InputCheck.Checked c = InputCheck.check(rows(), Map.of("origin", DataTypes.StringType));
        assertNull(c.accepted());
        assertEquals(List.of("origin"), c.missing());
        assertEquals(4, c.rejected().filter(functions.col(InputCheck.REASON).equalTo("missing required column 'origin'")).count());
    }

    @Test
    void theBucketOfAnIdDoesNotDependOnItsTypeAndSplitsEvenly() {
        Dataset<Row> ids = spark.range(0, 20_000).toDF("id");
        Dataset<Row> asText = ids.withColumn("id", functions.col("id").cast("string"));
        org.apache.spark.sql.Column bucketOf = RowIds.bucket(RowIds.key(List.of("id")), "exp-1");
        List<Row> a = ids.select(functions.col("id").cast("string"), bucketOf.as("b")).orderBy("id").collectAsList();
        List<Row> b = asText.select(functions.col("id"), bucketOf.as("b")).orderBy("id").collectAsList();
        assertEquals(a, b, "an id read as a number or as text lands in the same bucket");
        long under30 = ids.select(bucketOf.as("b")).filter(functions.col("b").lt(3000)).count();
        assertTrue(Math.abs(under30 / 20_000.0 - 0.30) < 0.02, "30% of buckets: " + under30);
        long other = ids.select(RowIds.bucket(RowIds.key(List.of("id")), "exp-2").as("b")).filter(functions.col("b").lt(3000)).count();
        assertTrue(other != under30, "another experiment splits differently");
    }
}
