package dev.treeline.pipelines.testing;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.S3Settings;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.SpecLoader;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.step.StepTypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Builds pipelines from YAML text and environments on temporary workspaces. */
public final class TestPipelines {
    private TestPipelines() {}

    public static Pipeline load(Path specFile, Map<String, String> vars) {
        return new SpecLoader(StepTypes.discover()).load(specFile, vars);
    }

    public static Pipeline loadText(String yaml) {
        return new SpecLoader(StepTypes.discover()).load(SpecNode.parse(yaml, "test.yaml", Interpolator.none()), Path.of("test.yaml"));
    }

    public static Path writeSpec(Path dir, String yaml) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("pipeline.yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Environment env(Path workspace) {
        return new Environment(workspace, workspace.resolve("cache"), "http://127.0.0.1:1", new S3Settings(null, "us-east-1", null, null, S3Settings.SSE_S3, null), null, Map.of());
    }

    /** {@link #flightsSpec} up to and including the features step (for modules without training). */
    public static String flightsSpecThroughFeatures(Path data, int trainDays) {
        String full = flightsSpec(data, trainDays, null);
        return full.substring(0, full.indexOf("  - name: train"));
    }

    /**
     * {@link #flightsSpec} through register, promote and push, named {@code name} (pipeline and model), publishing
     * under {@code prefix} in the treeline-models bucket.
     */
    public static String publishingFlightsSpec(Path data, int trainDays, String name, String prefix) {
        return flightsSpec(data, trainDays, """
              - name: register
                inputs: [model, evaluation]
                outputs: [model_version]
              - name: promote
                inputs: [evaluation, model_version]
                outputs: [promotion]
                params: {metric: auc, min_improvement: 0.0, approval: "${APPROVAL:-auto_when_gate_passes}"}
              - name: push
                inputs: [promotion]
                outputs: [publication]
                params: {bucket: treeline-models, prefix: %s}
            """.formatted(prefix)).replace("pipeline: flights-test", "pipeline: " + name).replace("name: flights-test", "name: " + name);
    }

    /**
     * The flights pipeline of examples/flights in small: ingest → validate → aggregates → features → train → evaluate,
     * plus {@code extraSteps} (YAML list items) appended.
     */
    public static String flightsSpec(Path data, int trainDays, String extraSteps) {
        return """
            pipeline: flights-test
            model:
              name: flights-test
            window:
              train_days: %d
              validation_days: 3
              holdout_days: 1
            datasets:
              raw_flights:
                path: %s
              flights: {partitioned_by: day}
              flights_ingest_rejects: {partitioned_by: day}
              flights_valid: {partitioned_by: day}
              flights_rejects: {partitioned_by: day}
              flight_partials: {partitioned_by: day}
              flight_aggregates: {partitioned_by: day}
            steps:
              - name: ingest
                inputs: [raw_flights]
                outputs: [flights, flights_ingest_rejects]
                params: {time_column: date}
              - name: validate
                inputs: [flights]
                outputs: [flights_valid, flights_rejects, validation_report]
                params:
                  contract:
                    columns:
                      date: {type: timestamp, nullable: false}
                      delay: {type: long, nullable: false}
                      distance: {type: long, nullable: false, min: 1}
                      origin: {type: string, nullable: false, pattern: "^[A-Z]{3}$"}
                      destination: {type: string, nullable: false}
                    rows: {min: 1}
                    drift:
                      baseline_days: 7
                      columns:
                        distance: {psi: {warn: 0.2, fail: 1.0}}
                        origin: {psi: {warn: 0.2, fail: 1.0}, new_categories: {warn: 0.05}}
                    max_reject_ratio: 0.05
              - name: aggregates
                inputs: [flights_valid]
                outputs: [flight_partials, flight_aggregates]
                params: &features
                  label: delay > 15
                  time: {column: date}
                  derived:
                    route: concat(origin, '-', destination)
                  calendar: [month, day_of_month, day_of_week, minute_of_day]
                  features:
                    distance: numeric
                    origin: index
                    destination: native
                    route: {encode: target, smoothing: 10}
                  aggregates:
                    - name: origin
                      keys: [origin]
                      windows: [3, 7]
                      values:
                        delay_rate: {function: rate, of: delay > 15}
                        flights: {function: count}
              - name: features
                inputs: [flights_valid, flight_aggregates]
                outputs: [training_features, feature_pipeline]
                params: *features
              - name: train
                type: xgboost_train
                inputs: [training_features, feature_pipeline]
                outputs: [model]
                params: {num_rounds: "${ROUNDS:-30}", early_stopping_rounds: 5, max_depth: "${DEPTH:-4}", eta: 0.3, num_workers: 1, nthread: 1, seed: 7}
              - name: evaluate
                inputs: [flights_valid, model, flight_aggregates]
                outputs: [evaluation]
            %s""".formatted(trainDays, data.toAbsolutePath(), extraSteps == null ? "" : extraSteps);
    }
}
