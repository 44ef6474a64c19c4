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

/** Parameter checks by task, class imbalance settings, and tune: spaces. */
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

    @Test
    void tasksTakeTheirOwnMetricsAndRefuseTheOthersParameters() {
        assertEquals("rmse", parse("{objective: reg:squarederror}").evalMetric());
        assertEquals("mlogloss", parse("{objective: multi:softprob, num_class: 3}").evalMetric());
        assertEquals(dev.treeline.pipelines.format.Task.MULTICLASS, parse("{objective: multi:softprob, num_class: 3}").task());
        assertEquals("train.yaml:1: objective: objective multi:softprob needs num_class: the number of classes (labels 0 .. num_class-1), at least 2",
                assertThrows(TreelineException.class, () -> parse("{objective: multi:softprob}")).getMessage());
        assertEquals("train.yaml:1: eval_metric: 'auc' is not allowed; expected one of: mae, rmse",
                assertThrows(TreelineException.class, () -> parse("{objective: reg:squarederror, eval_metric: auc}")).getMessage());
        assertTrue(assertThrows(TreelineException.class, () -> parse("{objective: reg:squarederror, scale_pos_weight: 2}")).getMessage()
                .contains("scale_pos_weight is for objective binary:logistic only"));
        assertTrue(assertThrows(TreelineException.class, () -> parse("{objective: multi:softprob, num_class: 3, checkpoint_rounds: 10}"))
                .getMessage().contains("checkpoint_rounds is not available with multi:softprob"));
    }

    @Test
    void tuneSpacesAreCheckedAndApplied() {
        TrainParams p = parse("{max_depth: 2, tune: {method: random, trials: 5, space: {max_depth: {int: [2, 8]}, eta: {log: [0.01, 0.3]}}}}");
        assertEquals("random", p.tune().method());
        assertEquals(List.of("max_depth", "eta"), p.tune().space().stream().map(TuneSpec.Dimension::name).toList());
        TrainParams tuned = p.with(java.util.Map.of("max_depth", 6.0, "eta", 0.05));
        assertEquals(6, tuned.maxDepth());
        assertEquals(0.05, tuned.eta());
        assertEquals(p.numRounds(), tuned.numRounds());
        assertEquals("train.yaml:1: tune.space.num_rounds: cannot tune 'num_rounds'; tunable parameters are " + TrainParams.TUNABLE,
                assertThrows(TreelineException.class, () -> parse("{tune: {space: {num_rounds: {int: [1, 9]}}}}")).getMessage());
        assertEquals("train.yaml:1: tune.space.eta.log: eta: a log scale needs low above 0",
                assertThrows(TreelineException.class, () -> parse("{tune: {space: {eta: {log: [0, 1]}}}}")).getMessage());
    }
}
