package dev.treeline.pipelines.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.testing.TestPipelines;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each bad spec gets one line naming file, line and key, and the fix. */
class SpecErrorsTest {
    static final String OK_STEPS = """
        steps:
          - {name: a, type: count, outputs: [x], params: {id: a}}
        """;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("pipelin: p\n" + OK_STEPS,
                        "test.yaml:1: pipelin: unknown key (did you mean 'pipeline'?); expected one of: datasets, description, model, pipeline, spark, split, steps, window"),
                Arguments.of("pipeline: p\n",
                        "test.yaml:1: missing required key 'steps'"),
                Arguments.of("pipeline: Bad Name\n" + OK_STEPS,
                        "test.yaml:1: pipeline: 'Bad Name' is not a valid name: use lower case letters, digits, '-', '_' or '.'"),
                Arguments.of("pipeline: p\nsteps:\n  - {name: a, type: cont, params: {id: a}}\n",
                        "test.yaml:3: steps[0].type: unknown step type 'cont' (did you mean 'count'?); expected one of: count, ingest"),
                Arguments.of("pipeline: p\nsteps:\n  - {name: a, type: count, params: {id: a}}\n  - {name: a, type: count, params: {id: b}}\n",
                        "test.yaml:4: steps[1].name: step name 'a' is used twice; step names must be unique"),
                Arguments.of("pipeline: p\nsteps:\n  - {name: a, type: count, inputs: [nowhere], params: {id: a}}\n",
                        "test.yaml:3: steps[0].inputs: dataset 'nowhere' is neither in datasets: nor written by an earlier step; expected one of: "),
                Arguments.of("pipeline: p\nsteps:\n  - {name: a, type: count, outputs: [x], params: {id: a}}\n  - {name: b, type: count, outputs: [x], params: {id: b}}\n",
                        "test.yaml:4: steps[1].outputs: dataset 'x' is already written by step 'a'; each dataset has one writer"),
                Arguments.of("pipeline: p\nwindow: {train_days: ten}\n" + OK_STEPS,
                        "test.yaml:2: window.train_days: expected a whole number, got 'ten'"),
                Arguments.of("pipeline: p\nwindow: {holdout_days: 0}\n" + OK_STEPS,
                        "test.yaml:2: window.holdout_days: must be between 1 and 365, got 0"),
                Arguments.of("pipeline: p\nspark: {conf: {driver.memory: 2g}}\n" + OK_STEPS,
                        "test.yaml:2: spark.conf: 'driver.memory' is not a Spark setting (they start with 'spark.')"),
                Arguments.of("pipeline: p\ndatasets:\n  raw: {format: parquet}\n" + OK_STEPS,
                        "test.yaml:3: datasets.raw: dataset 'raw' is not written by any step, so it is a source and needs a path:"),
                Arguments.of("pipeline: p\ndatasets:\n  raw: {format: csvv, path: /x}\n" + OK_STEPS,
                        "test.yaml:3: datasets.raw.format: 'csvv' is not allowed (did you mean 'csv'?); expected one of: csv, directory, jdbc, json, jsonl, parquet"),
                Arguments.of("pipeline: p\ndatasets:\n  x: {format: parquet}\n" + OK_STEPS,
                        "test.yaml:3: datasets.x: step 'a' writes 'x' as json, but it is declared with format: parquet"),
                Arguments.of("pipeline: p\nsteps:\n  - {name: a, type: count, params: {idd: a}}\n",
                        "test.yaml:3: steps[0].params.idd: unknown key (did you mean 'id'?); expected one of: busy_seconds, conf, fail_times, fail_while, id, log, sleep_seconds, stale_times"),
                Arguments.of("pipeline: p\nsteps: [\n",
                        "test.yaml:3: not valid YAML: expected the node content, but found '<stream end>'"),
                Arguments.of("pipeline: p\nsteps:\n  - {name: a, type: ingest, inputs: [], outputs: [y], params: {time_column: t}}\n",
                        "test.yaml:3: steps[0]: step 'a' of type ingest takes 1 input(s) [source], got 0 []"),
                Arguments.of("pipeline: p\ndatasets:\n  raw: {path: /data}\nsteps:\n  - {name: a, type: ingest, inputs: [raw], outputs: [y], params: {time_column: t}}\n",
                        "test.yaml:5: steps[0]: output 'y' of step 'a' must be declared under datasets: with partitioned_by: day"),
                Arguments.of("pipeline: p\nsteps:\n  - {name: a, type: count, params: &loop {id: a, log: [*loop]}}\n",
                        "test.yaml:3: a YAML anchor refers to itself (an alias *x inside the value of &x); specs cannot be recursive"),
                Arguments.of("pipeline: p\nx1: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nx2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                + "x3: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nx4: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                                + "x5: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nx6: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n" + OK_STEPS,
                        "test.yaml:2: the spec expands to more than 1000000 YAML nodes through aliases; write it out without nesting aliases"),
                Arguments.of("pipeline: p\nwindow: {train_days: 30}\nsplit: {method: random}\n" + OK_STEPS,
                        "test.yaml:2: window: a pipeline splits either by days (window:) or by rows (split:), not both; remove window: or split: (line 3)"),
                Arguments.of("pipeline: p\nsplit: {method: group}\n" + OK_STEPS,
                        "test.yaml:2: split: method: group needs group_column: the column whose rows stay together (e.g. customer_id)"),
                Arguments.of("pipeline: p\nsplit: {method: stratified, group_column: customer}\n" + OK_STEPS,
                        "test.yaml:2: split.group_column: group_column applies to method: group only; set method: group or remove it"),
                Arguments.of("pipeline: p\nsplit: {validation: 0.5, holdout: 0.5}\n" + OK_STEPS,
                        "test.yaml:2: split: validation 0.5 + holdout 0.5 leave under 5% of the rows to train on; lower them"),
                Arguments.of("pipeline: p\nsplit: {method: stratified, validation: 0.1, cv: {folds: 5}}\n" + OK_STEPS,
                        "test.yaml:2: split.validation: with cv: each fold in turn validates; remove validation: (the folds share the non-holdout rows)"),
                Arguments.of("pipeline: p\nsplit: {cv: {folds: 1}}\n" + OK_STEPS,
                        "test.yaml:2: split.cv.folds: must be between 2 and 20, got 1"),
                Arguments.of("pipeline: p\nsplit: {method: shuffle}\n" + OK_STEPS,
                        "test.yaml:2: split.method: 'shuffle' is not allowed; expected one of: group, random, stratified"),
                Arguments.of("pipeline: p\nsplit: {holdout: {dataset: test_rows}}\n" + OK_STEPS,
                        "test.yaml:2: split.holdout.dataset: holdout dataset 'test_rows' must be a dataset partitioned by day (e.g. the validated rows of the test file)"),
                Arguments.of("pipeline: p\nmodel: {name: \"x/..\"}\n" + OK_STEPS,
                        "test.yaml:2: model.name: model name 'x/..' is not allowed: use letters, digits, '_', '-' and '.' (not '..'), "
                                + "starting with a letter or digit, at most 128 characters"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void badSpecIsReportedWithFileLineAndKey(String yaml, String expected) {
        SpecException e = assertThrows(SpecException.class, () -> TestPipelines.loadText(yaml));
        if (expected.endsWith(": ")) assertEquals(expected, e.getMessage().substring(0, Math.min(e.getMessage().length(), expected.length())));
        else assertEquals(expected, e.getMessage());
        assertEquals(ExitCode.SPEC, e.exitCode());
    }
}
