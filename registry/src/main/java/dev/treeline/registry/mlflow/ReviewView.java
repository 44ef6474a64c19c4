package dev.treeline.registry.mlflow;

import dev.treeline.pipelines.util.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What a reviewer opens in the MLflow UI, and the links Treeline prints to it. An experiment's runs table
 * shows, by default, names, times and sources; this saved view (an experiment tag MLflow's UI reads, as
 * its "Share" button writes it) adds the columns a review needs: the headline holdout metric, the gate's
 * outcome and the model version. The links open the model-training views, not MLflow 3's GenAI ones.
 */
public final class ReviewView {
    /** The view's key: the link's {@code viewStateShareKey}. */
    static final String KEY = "treeline";
    static final String TAG = "mlflow.sharedViewState." + KEY;

    private ReviewView() {}

    /** The view's state as MLflow's UI stores a shared view: the columns to show, newest runs first. */
    static String state(String headlineMetric) {
        List<String> columns = List.of("metrics.`holdout_" + headlineMetric + "`", "tags.`treeline.gate_status`", "tags.`treeline.model_version`",
                "tags.`treeline.logical_date`");
        return Json.canonical(Map.of("selectedColumns", columns));
    }

    /** Sets the experiment's review view to show {@code headlineMetric} (idempotent: the tag is overwritten with the same value). */
    public static void ensure(MlflowConnection mlflow, String experimentId, String headlineMetric) {
        mlflow.rest().post("experiments/set-experiment-tag", Map.of("experiment_id", experimentId, "key", TAG, "value", state(headlineMetric)));
    }

    /** The experiment's runs, in the review view. */
    public static String runs(String mlflowUrl, String experimentId) {
        return mlflowUrl + "/#/experiments/" + experimentId + "/runs?workflowType=machine_learning&viewStateShareKey=" + KEY;
    }

    /** A version's page: the comparison with the champion on the same holdout first, then the tags. */
    public static String version(String mlflowUrl, String model, String version) {
        return mlflowUrl + "/#/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20") + "/versions/" + version;
    }
}
