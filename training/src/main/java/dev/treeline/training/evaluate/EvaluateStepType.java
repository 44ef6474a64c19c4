package dev.treeline.training.evaluate;

import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.pipelines.spec.ColumnType;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypeNames;
import dev.treeline.pipelines.util.DidYouMean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public final class EvaluateStepType implements StepType {
    @Override
    public String name() {
        return StepTypeNames.EVALUATE;
    }

    @Override
    public String summary() {
        return "measure the candidate and the registered champion on the same holdout days";
    }

    @Override
    public Step create(StepSpec spec, PipelineSpec pipeline) {
        // Further inputs are the datasets the models look features up in (as-of aggregates, join datasets).
        if (spec.inputs().size() < 2 || spec.outputs().size() != 1) {
            spec.expectDatasets(List.of("validated rows (partitioned by day)", "model bundle"), List.of("evaluation"));
        }
        SpecNode p = spec.paramsOrEmpty().allowOnly("champion_alias", "slices", "plots", "seed", "cost");
        checkSlicesAgainstInput(spec, pipeline, p);
        checkAgainstFeatures(spec, pipeline, p);
        return new EvaluateStep(p.string("champion_alias", "champion"), p.has("slices") ? p.stringList("slices") : List.of(),
                p.bool("plots", true), p.integer("seed", 0, 0, Integer.MAX_VALUE), pipeline.split(), cost(p));
    }

    /** {@code cost: {false_negative: 5, false_positive: 1}}: what each kind of error costs, for the threshold; null when absent. */
    private static double[] cost(SpecNode p) {
        if (!p.has("cost")) return null;
        SpecNode c = p.require("cost").allowOnly("false_negative", "false_positive");
        double fn = c.number("false_negative", 1.0, 0.0, 1e12);
        double fp = c.number("false_positive", 1.0, 0.0, 1e12);
        if (fn + fp == 0) throw c.error("a cost matrix of zeros chooses no threshold; give false_negative and false_positive costs");
        return new double[] {fn, fp};
    }

    /** Slices must be columns of the rows evaluated, when the spec tells them (a source schema carried through ingest and validate). */
    private static void checkSlicesAgainstInput(StepSpec spec, PipelineSpec pipeline, SpecNode p) {
        Map<String, ColumnType> known = pipeline.knownColumns(spec.inputs().get(0));
        if (known == null || !p.has("slices")) return;
        for (String s : p.stringList("slices")) {
            if (!known.containsKey(s)) {
                throw p.require("slices").error("'" + s + "' is not a column of '" + spec.inputs().get(0) + "'" + DidYouMean.hint(s, known.keySet()));
            }
        }
    }

    /**
     * What the candidate's feature spec (the features step behind the train step that writes this step's model) asks
     * of this step, checked when the spec loads: slices by a personal column, and the lookup datasets as inputs.
     * A model from outside the spec is checked when the step runs.
     */
    private static void checkAgainstFeatures(StepSpec spec, PipelineSpec pipeline, SpecNode p) {
        StepSpec train = pipeline.producer(spec.inputs().get(1), StepTypeNames.TRAIN);
        StepSpec featuresStep = train == null || train.inputs().size() < 2 ? null : pipeline.producer(train.inputs().get(1), StepTypeNames.FEATURES);
        if (featuresStep == null) return;
        FeatureSpec features = FeatureSpec.ofProducer(pipeline, train.inputs().get(1));
        if (p.has("slices")) {
            for (String s : p.stringList("slices")) {
                if (features.hasPii(s)) {
                    throw p.require("slices").error(EvaluateStep.piiSlice(s));
                }
            }
        }
        List<String> needed = new ArrayList<>();
        if (!features.aggregates().isEmpty() && featuresStep.inputs().size() > 1) needed.add(featuresStep.inputs().get(1));
        for (var j : features.joins()) needed.add(j.dataset());
        String holdout = pipeline.splitsRows() ? pipeline.split().holdoutDataset() : null;
        if (holdout != null && !spec.inputs().subList(2, spec.inputs().size()).contains(holdout)) {
            throw spec.node().error("split: takes the holdout from dataset '" + holdout + "'; add it to the inputs of step '" + spec.name()
                    + "': [" + String.join(", ", spec.inputs()) + ", " + holdout + "]");
        }
        for (String n : needed) {
            if (!spec.inputs().contains(n)) throw spec.node().error(EvaluateStep.missingLookup("the candidate", n, spec.inputs()));
        }
    }

    @Override
    public String outputFormat(int index) {
        return "json";
    }
}
