package dev.treeline.pipelines.spec;

import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepType;
import dev.treeline.pipelines.step.StepTypes;
import dev.treeline.pipelines.util.DidYouMean;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import dev.treeline.pipelines.util.SafePaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * YAML → validated {@link Pipeline}. Everything is checked before any Spark job starts: keys, types and
 * ranges, dataset wiring (every input is a source or an earlier step's output, no dataset written twice),
 * step types (via the SPI) and each step's own params.
 */
public final class SpecLoader {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final Pattern STEP_NAME = Pattern.compile("[A-Za-z0-9][\\w.-]{0,62}");

    private final StepTypes stepTypes;

    public SpecLoader(StepTypes stepTypes) {
        this.stepTypes = stepTypes;
    }

    public Pipeline load(Path file, Map<String, String> params) {
        SpecNode root = SpecNode.parse(file, Interpolator.of(params));
        return load(root, file);
    }

    private static String partitionedHint(String wrong, Map<String, DatasetSpec> datasets) {
        List<String> partitioned = datasets.values().stream().filter(DatasetSpec::isPartitioned).map(DatasetSpec::name).toList();
        return partitioned.isEmpty() ? "" : DidYouMean.hint(wrong, partitioned);
    }

    public Pipeline load(SpecNode root, Path file) {
        root.allowOnly("pipeline", "description", "model", "spark", "window", "split", "datasets", "steps");
        String name = root.requiredString("pipeline");
        if (!NAME.matcher(name).matches()) {
            throw root.require("pipeline").error("'" + name + "' is not a valid name: use lower case letters, digits, '-', '_' or '.'");
        }
        String modelName = name;
        SpecNode model = root.get("model");
        if (model != null) {
            model.allowOnly("name");
            modelName = model.string("name", name);
            String problem = SafePaths.modelNameProblem(modelName);
            if (problem != null) throw model.require("name").error(problem);
        }

        Map<String, DatasetSpec> datasets = new LinkedHashMap<>();
        SpecNode datasetsNode = root.get("datasets");
        if (datasetsNode != null) {
            datasetsNode.asMap().forEach((dsName, node) -> {
                if (!STEP_NAME.matcher(dsName).matches()) throw node.error("'" + dsName + "' is not a valid dataset name");
                datasets.put(dsName, DatasetSpec.from(dsName, node));
            });
        }

        List<StepSpec> steps = new ArrayList<>();
        Set<String> stepNames = new HashSet<>();
        Map<String, String> producedBy = new HashMap<>();
        for (SpecNode s : root.require("steps").asList()) {
            s.allowOnly("name", "type", "description", "inputs", "outputs", "params");
            String stepName = s.requiredString("name");
            if (!STEP_NAME.matcher(stepName).matches()) throw s.require("name").error("'" + stepName + "' is not a valid step name");
            if (!stepNames.add(stepName)) throw s.require("name").error("step name '" + stepName + "' is used twice; step names must be unique");
            String type = s.string("type", stepName);
            if (stepTypes.get(type) == null) {
                SpecNode at = s.has("type") ? s.require("type") : s.require("name");
                throw at.error("unknown step type '" + type + "'" + stepTypes.unknownHint(type));
            }
            List<String> inputs = s.stringList("inputs");
            List<String> outputs = new ArrayList<>(s.stringList("outputs"));
            for (String in : inputs) {
                if (!datasets.containsKey(in) && !producedBy.containsKey(in)) {
                    Set<String> known = new HashSet<>(datasets.keySet());
                    known.addAll(producedBy.keySet());
                    throw s.require("inputs").error("dataset '" + in + "' is neither in datasets: nor written by an earlier step"
                            + DidYouMean.hint(in, known));
                }
            }
            StepSpec listed = new StepSpec(stepName, type, List.copyOf(inputs), List.copyOf(outputs), s.get("params"), s);
            for (String role : stepTypes.get(type).implicitOutputs(listed)) outputs.add(StepSpec.implicitOutput(stepName, role));
            for (String out : outputs) {
                if (producedBy.containsKey(out)) {
                    throw s.require("outputs").error("dataset '" + out + "' is already written by step '" + producedBy.get(out)
                            + "'; each dataset has one writer");
                }
                if (inputs.contains(out)) throw s.require("outputs").error("step reads and writes '" + out + "'");
                producedBy.put(out, stepName);
            }
            steps.add(new StepSpec(stepName, type, List.copyOf(inputs), List.copyOf(outputs), s.get("params"), s));
        }
        if (steps.isEmpty()) throw root.require("steps").error("a pipeline needs at least one step");
        for (StepSpec s : steps) {
            StepType type = stepTypes.get(s.type());
            for (int i = 0; i < s.outputs().size(); i++) {
                String out = s.outputs().get(i);
                String format = type.outputFormat(i);
                DatasetSpec declared = datasets.get(out);
                if (declared == null) {
                    datasets.put(out, DatasetSpec.implicit(out, format));
                } else if (!declared.format().equals(format) || DatasetSpec.SOURCE_ONLY.contains(declared.format())) {
                    throw datasetsNode.require(out).error("step '" + s.name() + "' writes '" + out + "' as " + format
                            + ", but it is declared with format: " + declared.format());
                }
            }
        }
        for (DatasetSpec ds : datasets.values()) {
            if (!producedBy.containsKey(ds.name()) && ds.path() == null && ds.line() > 0 && !ds.format().equals("jdbc")) {
                throw datasetsNode.require(ds.name()).error("dataset '" + ds.name() + "' is not written by any step, so it is a source and needs a path:");
            }
        }

        SplitSpec split = SplitSpec.from(root.get("split"), root.get("window"));
        if (split != null && split.holdoutDataset() != null) {
            DatasetSpec h = datasets.get(split.holdoutDataset());
            if (h == null || !h.isPartitioned()) {
                throw root.require("split").require("holdout").require("dataset").error("holdout dataset '" + split.holdoutDataset()
                        + "' must be a dataset partitioned by day (e.g. the validated rows of the test file)"
                        + partitionedHint(split.holdoutDataset(), datasets));
            }
        }
        String hash = Hashing.sha256(Json.canonical(root.toRawPlain())).substring(0, 16);
        PipelineSpec spec = new PipelineSpec(name, root.string("description", ""), modelName,
                SparkSpec.from(root.get("spark")), WindowSpec.from(root.get("window")), split,
                datasets, List.copyOf(steps), file, hash, new LinkedHashMap<>());
        for (DatasetSpec ds : datasets.values()) {
            if (ds.hasSchema()) spec.declareColumns(ds.name(), ds.schema());
        }

        List<Step> created = new ArrayList<>();
        for (StepSpec s : steps) {
            StepType type = stepTypes.get(s.type());
            created.add(type.create(s, spec));
        }
        return new Pipeline(spec, List.copyOf(created));
    }
}
