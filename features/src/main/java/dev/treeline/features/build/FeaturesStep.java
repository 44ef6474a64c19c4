package dev.treeline.features.build;

import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.spec.DateWindow;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Builds the training set for a logical date: reads the window's days, labels rows, assigns each day to
 * train, validation or holdout, fits the feature pipeline on the train days only (so nothing learnt
 * from later days leaks into it) and writes both the feature rows and the fitted pipeline.
 */
final class FeaturesStep implements Step {
    static final String SPLIT = "split";
    static final String LABEL = "label";

    private final FeatureParams params;

    FeaturesStep(FeatureParams params) {
        this.params = params;
    }

    @Override
    public StepResult run(StepContext ctx) {
        DateWindow w = ctx.window();
        PartitionedDataset input = ctx.catalog().partitioned(ctx.input(0));
        String day = input.column();
        Dataset<Row> rows = input.read(w.trainFrom(), w.logicalDate());
        List<String> missing = params.inputColumns().stream().filter(c -> !List.of(rows.columns()).contains(c)).toList();
        if (!missing.isEmpty()) {
            throw dev.treeline.pipelines.TreelineException.data("dataset '" + ctx.input(0) + "' lacks feature input column(s) " + missing
                    + " (it has " + String.join(", ", rows.columns()) + "); fix params of step '" + ctx.step().name() + "'");
        }

        Column split = functions.when(functions.col(day).lt(functions.lit(java.sql.Date.valueOf(w.validationFrom()))), DateWindow.TRAIN)
                .when(functions.col(day).lt(functions.lit(java.sql.Date.valueOf(w.holdoutFrom()))), DateWindow.VALIDATION)
                .otherwise(DateWindow.HOLDOUT);
        Dataset<Row> labelled = rows
                .withColumn(LABEL, functions.expr(params.label()).cast("double"))
                .withColumn(SPLIT, split);
        // Rows without a label cannot train or score; they are counted and left out.
        long unlabelled = labelled.filter(functions.col(LABEL).isNull()).count();
        labelled = labelled.filter(functions.col(LABEL).isNotNull());
        Dataset<Row> train = labelled.filter(functions.col(SPLIT).equalTo(DateWindow.TRAIN));

        PipelineModel fitted = FeaturePipelineFactory.build(params).fit(train);
        Dataset<Row> features = fitted.transform(labelled)
                .select(functions.col(day), functions.col(SPLIT), functions.col(LABEL), functions.col(FeaturePipelineFactory.FEATURES));
        ctx.catalog().write(ctx.output(0), features);

        FeatureMeta meta = new FeatureMeta(1, params.inputColumns(), params.featureNames(), FeaturePipelineFactory.FEATURES,
                params.label(), params.timestamp());
        ctx.catalog().publishDirectory(ctx.output(1), dir -> {
            fitted.write().overwrite().save(dir.toString());
            meta.write(dir);
        });

        Map<String, Long> counts = new LinkedHashMap<>();
        for (Row r : ctx.catalog().read(ctx.output(0)).groupBy(SPLIT).count().collectAsList()) counts.put(r.getString(0), r.getLong(1));
        Map<String, Number> numbers = new LinkedHashMap<>();
        for (String s : List.of(DateWindow.TRAIN, DateWindow.VALIDATION, DateWindow.HOLDOUT)) numbers.put("rows_" + s, counts.getOrDefault(s, 0L));
        numbers.put("rows_unlabelled", unlabelled);
        Map<String, Double> metrics = new LinkedHashMap<>();
        numbers.forEach((k, v) -> metrics.put("features_" + k, v.doubleValue()));
        ctx.tracker().logMetrics(metrics);
        ctx.tracker().logParams(Map.of("features", String.join(",", params.featureNames()), "label", params.label()));
        return StepResult.of(String.format("%d features; rows train %,d · validation %,d · holdout %,d", params.featureNames().size(),
                counts.getOrDefault(DateWindow.TRAIN, 0L), counts.getOrDefault(DateWindow.VALIDATION, 0L),
                counts.getOrDefault(DateWindow.HOLDOUT, 0L)), numbers);
    }
}
