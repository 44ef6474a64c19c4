package dev.treeline.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecException;
import dev.treeline.pipelines.testing.TestPipelines;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules that span the train step's params and its upstream steps fail when the spec loads, naming file,
 * line and key, before any step runs (loading a spec starts no Spark).
 */
class TrainSpecChecksTest {
    @TempDir Path tmp;

    String load(String trainParams, String encode) {
        return load(trainParams, encode, "");
    }

    /** The pipeline with {@code extra} appended (more steps): the load's error, with paths relative to the spec's directory. */
    String load(String trainParams, String encode, String extra) {
        SpecException e = assertThrows(SpecException.class, () -> loaded(trainParams, encode, extra));
        return e.getMessage().replace(tmp.toString() + "/", "");
    }

    Pipeline loaded(String trainParams, String encode, String extra) {
        Path spec = TestPipelines.writeSpec(tmp, """
            pipeline: checks
            datasets:
              raw:
                path: /nowhere/flights.parquet
                schema: {date: timestamp, delay: long, distance: long, origin: string, destination: string}
              flights: {partitioned_by: day}
            steps:
              - {name: ingest, inputs: [raw], outputs: [flights], params: {time_column: date}}
              - name: features
                inputs: [flights]
                outputs: [rows, fitted]
                params:
                  label: delay > 15
                  pii: {destination: drop}
                  features:
                    distance: numeric
                    origin: %s
              - name: train
                type: xgboost_train
                inputs: [rows, fitted]
                outputs: [model]
                params: %s
            %s""".formatted(encode, trainParams, extra));
        return TestPipelines.load(spec, Map.of());
    }

    @Test
    void tuningWithoutEarlyStoppingFailsAtLoad() {
        assertEquals("pipeline.yaml:22: steps[2].params.tune: tune: scores trials on the validation rows, which early_stopping_rounds: 0 turns off; "
                + "set early_stopping_rounds (e.g. 50)", load("{early_stopping_rounds: 0, tune: {method: random, trials: 4}}", "index"));
    }

    @Test
    void slicingTheEvaluationByAPersonalColumnFailsAtLoad() {
        assertEquals("pipeline.yaml:26: steps[3].params.slices: 'destination' is a pii column: its values would be written to the evaluation; "
                + "slice by a non-personal column", evaluateSlicedBy("destination"));
    }

    @Test
    void slicingByAColumnTheRowsDoNotHaveFailsAtLoad() {
        assertEquals("pipeline.yaml:26: steps[3].params.slices: 'carrier' is not a column of 'flights'; "
                + "expected one of: date, day, delay, destination, distance, origin", evaluateSlicedBy("carrier"));
    }

    /** The load error of the pipeline with an evaluate step sliced by {@code column}. */
    String evaluateSlicedBy(String column) {
        return load("{}", "index", """
              - name: evaluate
                inputs: [flights, model]
                outputs: [evaluation]
                params: {slices: [%s]}
            """.formatted(column));
    }

    @Test
    void aTuningStepWritesItsStudyAsARunDataset() {
        Pipeline tuned = loaded("{tune: {method: random, trials: 4}}", "index", "");
        assertEquals(List.of("model", "train.tuning_study"), tuned.spec().step("train").outputs());
        assertEquals("json", tuned.spec().dataset("train.tuning_study").format());
        assertEquals(List.of("model"), loaded("{}", "index", "").spec().step("train").outputs(), "no study without tune:");
    }

    @Test
    void multiclassOnATargetEncodedFeatureFailsAtLoad() {
        assertEquals("pipeline.yaml:22: steps[2].params.objective: the feature spec target-encodes a column, which encodes the mean label: "
                + "meaningless for the classes of multi:softprob; use encode: index or native",
                load("{objective: \"multi:softprob\", num_class: 3}", "{encode: target}"));
    }
}
