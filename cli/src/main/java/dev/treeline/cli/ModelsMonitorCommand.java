package dev.treeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.mlflow.MlflowException;
import dev.treeline.registry.steps.RegistryTags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "monitor", description = {"How the served model does on labels that arrived: realised metrics per monitored day (AUC with",
        "its 95% CI, log loss, calibration error, positive rate; RMSE and MAE for regression), the rolling window, score and feature",
        "drift (PSI) and the decay rules each day breached, as the monitor step logged them to the <model>-monitoring experiment.",
        "--history adds each version's gate decision and decay, to replay how every champion decayed."})
final class ModelsMonitorCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;
    @Mixin OutputOption output;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Registered model name.")
    String model;

    @Option(names = "--history", description = "Also list every version's gate decision and decay.")
    boolean history;

    @Override
    public Integer call() throws Exception {
        try (RegistryOptions.Session s = registry.open()) {
            String experiment = model + "-monitoring";
            String experimentId;
            try {
                experimentId = s.mlflow.rest().get("experiments/get-by-name", Map.of("experiment_name", experiment)).path("experiment").path("experiment_id").asText();
            } catch (MlflowException e) {
                if (!e.is("RESOURCE_DOES_NOT_EXIST")) throw e;
                throw new TreelineException(ExitCode.FAILURE, "model '" + model + "' has not been monitored yet (no MLflow experiment '" + experiment
                        + "'); add a monitor step after the score step of its pipeline (docs/scoring.md)");
            }
            JsonNode runs = s.mlflow.rest().post("runs/search", Map.of("experiment_ids", List.of(experimentId), "filter", "attributes.status = 'FINISHED'",
                    "order_by", List.of("attributes.start_time DESC"), "max_results", 1)).path("runs");
            if (runs.isEmpty()) throw new TreelineException(ExitCode.FAILURE, "experiment '" + experiment + "' has no finished monitoring run yet");
            Path dir = Files.createDirectories(s.env.layout().tmp()).resolve("monitor-" + UUID.randomUUID());
            s.mlflow.artifacts().downloadDirectory(runs.get(0).path("info").path("artifact_uri").asText(), "monitoring", dir);
            List<Map<String, Object>> days = Json.MAPPER.readValue(dir.resolve("history.json").toFile(),
                    Json.MAPPER.getTypeFactory().constructCollectionType(List.class, Map.class));
            List<Map<String, Object>> versions = new ArrayList<>();
            if (history) {
                for (ModelRef v : s.mlflow.registry().versions(model)) {
                    Map<String, String> t = v.tags() == null ? Map.of() : v.tags();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("version", v.version());
                    row.put("logical_date", t.get(RegistryTags.LOGICAL_DATE));
                    row.put("gate", t.get(RegistryTags.PROMOTION));
                    row.put("gate_reason", t.get(RegistryTags.PROMOTION_REASON));
                    row.put("evaluated_auc", t.get(RegistryTags.HOLDOUT_METRIC_PREFIX + "auc"));
                    row.put("decayed", t.get(RegistryTags.DECAYED));
                    row.put("decay_reason", t.get(RegistryTags.DECAY_REASON));
                    versions.add(row);
                }
            }
            if (output.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("model", model);
                out.put("days", days);
                if (history) out.put("versions", versions);
                System.out.println(Json.write(out));
                return 0;
            }
            System.out.printf("%-10s  %-7s  %9s  %-22s  %10s  %8s  %8s  %8s  %9s  %8s  %s%n", "DAY", "VERSION", "LABELLED", "AUC (95% CI)", "WINDOW AUC",
                    "LOGLOSS", "CAL ERR", "POS RATE", "SCORE PSI", "MAX PSI", "BREACHES");
            for (Map<String, Object> d : days) {
                System.out.printf("%-10s  %-7s  %,9d  %-22s  %10s  %8s  %8s  %8s  %9s  %8s  %s%n", d.get("day"), d.get("model_version"),
                        num(d, "rows_labelled").longValue(), d.containsKey("auc") ? String.format("%.4f (%.4f-%.4f)", num(d, "auc"), num(d, "auc_ci_low"),
                                num(d, "auc_ci_high")) : d.containsKey("rmse") ? String.format("RMSE %.4f", num(d, "rmse")) : "-",
                        fmt(d, "window_auc", "%.4f"), fmt(d, "logloss", "%.4f"), fmt(d, "calibration_error", "%.4f"), fmt(d, "positive_rate", "%.4f"),
                        fmt(d, "score_psi", "%.3f"), fmt(d, "feature_psi_max", "%.3f"), d.getOrDefault("breaches", ""));
            }
            if (history) {
                System.out.println();
                System.out.printf("%-7s  %-12s  %-10s  %-14s  %-12s  %s%n", "VERSION", "LOGICAL DATE", "GATE", "EVALUATED AUC", "DECAYED", "WHY");
                for (Map<String, Object> v : versions) {
                    System.out.printf("%-7s  %-12s  %-10s  %-14s  %-12s  %s%n", v.get("version"), orDash(v.get("logical_date")), orDash(v.get("gate")),
                            orDash(v.get("evaluated_auc")), orDash(v.get("decayed")), v.get("decay_reason") != null ? v.get("decay_reason")
                                    : orDash(v.get("gate_reason")));
                }
            }
            return 0;
        }
    }

    private static Double num(Map<String, Object> d, String k) {
        Object v = d.get(k);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String fmt(Map<String, Object> d, String k, String f) {
        return d.get(k) instanceof Number n ? String.format(f, n.doubleValue()) : "-";
    }

    private static String orDash(Object o) {
        return o == null ? "-" : o.toString();
    }
}
