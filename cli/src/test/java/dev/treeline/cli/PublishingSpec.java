package dev.treeline.cli;

import java.nio.file.Path;

/**
 * A whole publishing pipeline without aggregates, for tables other than the flights: ingest, validate,
 * features, train, evaluate, register, promote (auto approval) and push to the local stack's bucket.
 * {@code source} is the raw dataset's YAML body (format, path, schema), {@code contract} a contract
 * file, {@code features} the feature spec's keys (label, time, features, pii ...), indented by 6.
 */
record PublishingSpec(String name, String source, String timeColumn, Path contract, String features, int trainDays) {

    String yaml() {
        return """
            pipeline: %1$s
            model:
              name: %1$s
            window:
              train_days: %6$d
              validation_days: 3
              holdout_days: 2
            datasets:
              raw:
            %2$s
              curated: {partitioned_by: day}
              unreadable: {partitioned_by: day}
              valid: {partitioned_by: day}
              rejects: {partitioned_by: day}
            steps:
              - name: ingest
                inputs: [raw]
                outputs: [curated, unreadable]
                params: {time_column: %3$s}
              - name: validate
                inputs: [curated]
                outputs: [valid, rejects, validation_report]
                params: {contract: %4$s}
              - name: features
                inputs: [valid]
                outputs: [training_features, feature_pipeline]
                params:
            %5$s
              - name: train
                type: xgboost_train
                inputs: [training_features, feature_pipeline]
                outputs: [model]
                params: {num_rounds: 30, early_stopping_rounds: 5, max_depth: 4, eta: 0.3, num_workers: 1, nthread: 1, seed: 7}
              - name: evaluate
                inputs: [valid, model]
                outputs: [evaluation]
              - name: register
                inputs: [model, evaluation]
                outputs: [model_version]
              - name: promote
                inputs: [evaluation, model_version]
                outputs: [promotion]
                params: {metric: auc, min_improvement: 0.0, approval: auto_when_gate_passes}
              - name: push
                inputs: [promotion]
                outputs: [publication]
                params: {bucket: treeline-models, prefix: %1$s}
            """.formatted(name, indent(source, 4), timeColumn, contract, indent(features, 6), trainDays);
    }

    static String indent(String block, int spaces) {
        String pad = " ".repeat(spaces);
        return block.strip().lines().map(l -> pad + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }
}
