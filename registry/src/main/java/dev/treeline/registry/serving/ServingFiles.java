package dev.treeline.registry.serving;

import dev.treeline.pipelines.format.BundleFiles;
import dev.treeline.pipelines.format.ModelMeta;
import dev.treeline.pipelines.format.Task;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What other runtimes need to load a model bundle, written beside it at registration so that MLflow,
 * S3 and the manifest hold them too: an MLflow {@code MLmodel} (xgboost flavor, so
 * {@code mlflow.pyfunc.load_model} loads the booster; its input is the feature vector, one column per
 * feature) and a Triton FIL model repository entry ({@code triton/<name>/config.pbtxt} with the booster
 * as {@code triton/<name>/1/xgboost.ubj}).
 */
public final class ServingFiles {
    public static final String MLMODEL = "MLmodel";
    public static final String TRITON = "triton";
    static final String BOOSTER = BundleFiles.BOOSTER_UBJ;

    private ServingFiles() {}

    /** Writes the files into {@code out} (the bundle is left untouched); returns their paths relative to {@code out}. */
    public static List<String> write(Path bundle, Path out, String modelName, String runId, String mlflowVersion) {
        try {
            ModelMeta meta = Json.read(bundle.resolve(BundleFiles.META), ModelMeta.class);
            Files.createDirectories(out);
            List<String> written = new ArrayList<>();
            Files.writeString(out.resolve(MLMODEL), mlmodel(meta, runId, mlflowVersion));
            written.add(MLMODEL);
            String name = tritonName(modelName);
            Path dir = out.resolve(TRITON).resolve(name);
            Files.createDirectories(dir.resolve("1"));
            Files.writeString(dir.resolve("config.pbtxt"), tritonConfig(meta, name));
            Files.copy(bundle.resolve(BOOSTER), dir.resolve("1").resolve("xgboost.ubj"), StandardCopyOption.REPLACE_EXISTING);
            written.add(TRITON + "/" + name + "/config.pbtxt");
            written.add(TRITON + "/" + name + "/1/xgboost.ubj");
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the serving files for " + bundle, e);
        }
    }

    /** Triton model names are directory names: letters, digits, '-', '_' and '.'. */
    public static String tritonName(String model) {
        return model.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    static String mlmodel(ModelMeta meta, String runId, String mlflowVersion) {
        List<Map<String, Object>> inputs = new ArrayList<>();
        for (String f : meta.featureNames()) {
            Map<String, Object> col = new LinkedHashMap<>();
            col.put("type", "double");
            col.put("name", f);
            col.put("required", true);
            inputs.add(col);
        }
        String xgb = meta.versions() == null ? "unknown" : meta.versions().getOrDefault("xgboost", "unknown");
        // YAML by hand: a handful of scalar keys, and the signature is JSON text as MLflow writes it.
        return "artifact_path: model\n"
                + "flavors:\n"
                + "  python_function:\n"
                + "    data: " + BOOSTER + "\n"
                + "    loader_module: mlflow.xgboost\n"
                + "    python_version: 3.11.2\n"
                + "  xgboost:\n"
                + "    code: null\n"
                + "    data: " + BOOSTER + "\n"
                + "    model_class: xgboost.core.Booster\n"
                + "    model_format: ubj\n"
                + "    xgb_version: " + xgb + "\n"
                + "mlflow_version: " + mlflowVersion + "\n"
                + "run_id: " + runId + "\n"
                + "signature:\n"
                + "  inputs: '" + Json.canonical(inputs).replace("'", "''") + "'\n"
                + "  outputs: null\n"
                + "  params: null\n"
                + "utc_time_created: '" + Instant.now().toString().replace('T', ' ').replace("Z", "") + "'\n";
    }

    static String tritonConfig(ModelMeta meta, String name) {
        Task task = meta.task();
        int features = meta.featureNames().size();
        boolean classifier = task != Task.REGRESSION;
        int outputs = task == Task.MULTICLASS ? meta.numClass() : task == Task.BINARY ? 2 : 1;
        return "# Triton Inference Server, FIL backend: the booster in 1/xgboost.ubj; input is the feature vector in\n"
                + "# treeline-model.json's feature_names order (missing values as NaN).\n"
                + "name: \"" + name + "\"\n"
                + "backend: \"fil\"\n"
                + "max_batch_size: 32768\n"
                + "input [\n  {\n    name: \"input__0\"\n    data_type: TYPE_FP32\n    dims: [ " + features + " ]\n  }\n]\n"
                + "output [\n  {\n    name: \"output__0\"\n    data_type: TYPE_FP32\n    dims: [ " + outputs + " ]\n  }\n]\n"
                + "instance_group [{ kind: KIND_AUTO }]\n"
                + "parameters [\n"
                + "  { key: \"model_type\" value: { string_value: \"xgboost_ubj\" } },\n"
                + "  { key: \"output_class\" value: { string_value: \"" + classifier + "\" } },\n"
                + "  { key: \"predict_proba\" value: { string_value: \"" + classifier + "\" } },\n"
                + "  { key: \"storage_type\" value: { string_value: \"AUTO\" } }\n"
                + "]\n"
                + "dynamic_batching {}\n";
    }
}
