package dev.treeline.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Class imbalance settings: a number, or auto from the training rows. */
class TrainParamsTest {
    static TrainParams parse(String yaml) {
        return TrainParams.from(SpecNode.parse(yaml, "train.yaml", Interpolator.none()));
    }

    @Test
    void scalePosWeightIsOneANumberOrAuto() {
        assertEquals(1.0, parse("{}").scalePosWeight());
        assertEquals(3.5, parse("{scale_pos_weight: 3.5}").scalePosWeight());
        assertTrue(parse("{scale_pos_weight: auto}").autoScalePosWeight());
        assertEquals("auto", parse("{scale_pos_weight: auto}").asParams().get("scale_pos_weight"));
        TreelineException e = assertThrows(TreelineException.class, () -> parse("{scale_pos_weight: 0}"));
        assertEquals("train.yaml:1: scale_pos_weight: scale_pos_weight must be above 0 (or auto: negatives / positives of the training rows)",
                e.getMessage());
    }

    @Test
    void autoIsNegativesPerPositiveAndNeedsBothClasses() {
        var spark = TestSpark.session();
        StructType schema = new StructType().add("label", DataTypes.DoubleType);
        var rows = spark.createDataFrame(List.of(RowFactory.create(1.0), RowFactory.create(0.0), RowFactory.create(0.0),
                RowFactory.create(0.0)), schema);
        assertEquals(3.0, TrainStep.balance(rows), 1e-12);
        var oneClass = spark.createDataFrame(List.of(RowFactory.create(0.0), RowFactory.create(0.0)), schema);
        TreelineException e = assertThrows(TreelineException.class, () -> TrainStep.balance(oneClass));
        assertEquals("scale_pos_weight: auto needs both classes in the training rows; found 0 positive of 2", e.getMessage());
    }
}
