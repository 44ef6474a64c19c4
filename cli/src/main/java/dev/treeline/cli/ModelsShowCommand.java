package dev.treeline.cli;

import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.review.VersionLineage;
import dev.treeline.registry.steps.RegistryTags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "show", description = {"Show one version: gate outcome and reasons, approval, aliases, lineage, metrics, where it is published,",
        "and its audit log entries. Exit code 0."})
final class ModelsShowCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;

    @Mixin ModelVersionArgs args;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
        try (RegistryOptions.Session s = registry.open()) {
            String model = args.model;
            String version = args.resolve(s);
            ModelRef v = s.mlflow.registry().version(model, version);
            Map<String, Object> out = summary(v, s.mlflow.registry().aliases(model));
            out.put("validation_reasons", v.tags().get(RegistryTags.VALIDATION_REASONS));
            out.put("approval_by", v.tags().get(RegistryTags.APPROVAL_BY));
            out.put("approval_at", v.tags().get(RegistryTags.APPROVAL_AT));
            out.put("approval_comment", v.tags().get(RegistryTags.APPROVAL_COMMENT));
            out.put("published", v.tags().get(RegistryTags.PUBLISHED));
            out.put("run_id", v.runId());
            out.put("source", v.source());
            out.put("tags", v.tags());
            var lineage = VersionLineage.of(s.mlflow, v);
            out.put("lineage", lineage.lineage());
            out.put("holdout", lineage.holdout());
            List<Map<String, Object>> audit = new ArrayList<>();
            for (Map<String, Object> e : s.lifecycle(model).audit().read(model)) if (version.equals(e.get("version"))) audit.add(e);
            out.put("audit", audit);
            if (output.json()) {
                System.out.println(Json.write(out));
                return 0;
            }
            System.out.println(model + " version " + version + "  (aliases: " + out.get("aliases") + ")");
            System.out.println("  logical date   " + out.get("logical_date"));
            System.out.println("  holdout        " + out.get("headline"));
            System.out.println("  gate           " + out.get("validation_status"));
            String reasons = v.tags().get(RegistryTags.VALIDATION_REASONS);
            if (reasons != null) for (String r : reasons.split("; ")) System.out.println("                   " + r);
            System.out.println("  approval       " + out.get("approval_status") + (out.get("approval_by") == null ? ""
                    : " by " + out.get("approval_by") + " at " + out.get("approval_at")
                    + (v.tags().getOrDefault(RegistryTags.APPROVAL_COMMENT, "").isEmpty() ? "" : ": " + out.get("approval_comment"))));
            System.out.println("  published      " + (out.get("published") == null ? "-" : out.get("published")));
            System.out.println("  run            " + v.runId());
            System.out.println("  lineage");
            for (String k : List.of(RegistryTags.PIPELINE, RegistryTags.PIPELINE_RUN_ID, RegistryTags.DATA_SNAPSHOT, RegistryTags.FEATURE_SNAPSHOT,
                    RegistryTags.SPEC_HASH, RegistryTags.GIT_COMMIT, RegistryTags.TREELINE_VERSION, RegistryTags.SPARK_VERSION, RegistryTags.XGBOOST_VERSION)) {
                if (lineage.lineage().containsKey(k)) System.out.printf("    %-28s %s%n", k, lineage.lineage().get(k));
            }
            if (!audit.isEmpty()) {
                System.out.println("  audit");
                for (Map<String, Object> e : audit) {
                    System.out.println("    " + e.get("at") + "  " + e.get("action") + " by " + e.get("actor") + (e.get("comment") == null ? "" : ": " + e.get("comment")));
                }
            }
            return 0;
        }
    }

    /** The columns of a version in listings. */
    static Map<String, Object> summary(ModelRef v, Map<String, String> aliases) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("version", v.version());
        r.put("logical_date", v.tags().getOrDefault(RegistryTags.LOGICAL_DATE, "-"));
        String metric = v.tags().getOrDefault(RegistryTags.VALIDATION_METRIC, null);
        String headline = "-";
        for (String m : metric != null ? List.of(metric) : List.of("auc", "rmse", "mlogloss")) {
            String value = v.tags().get(RegistryTags.HOLDOUT_METRIC_PREFIX + m);
            if (value != null) {
                headline = m + " " + value;
                break;
            }
        }
        r.put("headline", headline);
        r.put("validation_status", v.tags().getOrDefault(RegistryTags.VALIDATION_STATUS, "-"));
        r.put("approval_status", v.tags().getOrDefault(RegistryTags.APPROVAL_STATUS, "-"));
        List<String> names = new ArrayList<>();
        aliases.forEach((alias, ver) -> {
            if (ver.equals(v.version())) names.add(alias);
        });
        r.put("aliases", names);
        return r;
    }
}
