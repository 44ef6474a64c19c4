package dev.treeline.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import dev.treeline.features.stages.DenseFeatureAssembler;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The custom stage is dense (zeros stay zeros), maps null to NaN and persists through a PipelineModel. */
class DenseFeatureAssemblerTest extends JavaDataFrameSuiteBase {
    @TempDir Path tmp;

    @Override
    public boolean enableHiveSupport() {
        return false;
    }

    @BeforeEach
    void start() {
        runBefore();
    }

    @AfterAll
    static void stop() {
        runAfterClass();
    }

    Dataset<Row> rows() {
        StructType schema = new StructType().add("a", DataTypes.LongType).add("b", DataTypes.DoubleType).add("c", DataTypes.BooleanType)
                .add("s", DataTypes.StringType);
        return spark().createDataFrame(List.of(
                RowFactory.create(0L, 0.0, false, "x"),
                RowFactory.create(3L, null, true, "y"),
                RowFactory.create(null, -1.5, null, "z")), schema);
    }

    @Test
    void zerosStayZerosAndNullsBecomeNaN() {
        List<Row> out = new DenseFeatureAssembler().setInputCols("a", "b", "c").setOutputCol("f").transform(rows()).select("f").collectAsList();
        Vector first = (Vector) out.get(0).get(0);
        org.junit.jupiter.api.Assertions.assertTrue(first instanceof DenseVector, "dense, not sparse: " + first.getClass());
        assertArrayEquals(new double[] {0, 0, 0}, first.toArray());
        assertArrayEquals(new double[] {3, Double.NaN, 1}, ((Vector) out.get(1).get(0)).toArray());
        assertArrayEquals(new double[] {Double.NaN, -1.5, Double.NaN}, ((Vector) out.get(2).get(0)).toArray());
    }

    @Test
    void vectorInputsAreFlattenedInPlace() {
        Dataset<Row> withVector = new DenseFeatureAssembler().setInputCols("a", "b").setOutputCol("v").transform(rows());
        List<Row> out = new DenseFeatureAssembler().setInputCols("c", "v").setOutputCol("f").transform(withVector).select("f").collectAsList();
        // c's slot first, then v's two slots where v stood; a missing value inside the vector stays missing.
        assertArrayEquals(new double[] {0, 0, 0}, ((Vector) out.get(0).get(0)).toArray());
        assertArrayEquals(new double[] {1, 3, Double.NaN}, ((Vector) out.get(1).get(0)).toArray());
        assertArrayEquals(new double[] {Double.NaN, Double.NaN, -1.5}, ((Vector) out.get(2).get(0)).toArray());
    }

    @Test
    void roundTripsThroughASavedPipelineModel() throws Exception {
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {
                new DenseFeatureAssembler().setInputCols("a", "b").setOutputCol("f")}).fit(rows());
        String path = tmp.resolve("pm").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        DenseFeatureAssembler stage = (DenseFeatureAssembler) loaded.stages()[0];
        assertArrayEquals(new String[] {"a", "b"}, stage.getInputCols());
        assertEquals("f", stage.getOutputCol());
        assertEquals(fitted.stages()[0].uid(), stage.uid());
        // NaN != NaN in row equality, so compare on rows without nulls.
        Dataset<Row> clean = rows().na().drop();
        assertDataFrameEquals(fitted.transform(clean), loaded.transform(clean), assertDataFrameEquals$default$3());
    }

    @Test
    void nonNumericInputIsRejectedNamingColumnAndType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DenseFeatureAssembler().setInputCols("a", "s").transform(rows()));
        assertEquals("feature column 's' must be numeric, boolean or a vector, but is string", e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new DenseFeatureAssembler().setInputCols("nope").transform(rows()));
        org.junit.jupiter.api.Assertions.assertTrue(missing.getMessage().startsWith("feature column 'nope' is missing"), missing.getMessage());
    }
}
