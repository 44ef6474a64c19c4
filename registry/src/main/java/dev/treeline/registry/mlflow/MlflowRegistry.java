package dev.treeline.registry.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The model registry's REST API (registered models, versions, aliases, tags). Stages are not used. */
public final class MlflowRegistry {
    private final MlflowRest rest;

    MlflowRegistry(MlflowRest rest) {
        this.rest = rest;
    }

    /** Creates the registered model unless it exists. */
    public void ensureModel(String name, String description) {
        try {
            rest.create("registered-models/create", Map.of("name", name, "description", description == null ? "" : description), () -> model(name));
        } catch (MlflowException e) {
            if (!e.is("RESOURCE_ALREADY_EXISTS")) throw e;
        }
    }

    public Optional<JsonNode> model(String name) {
        try {
            return Optional.of(rest.get("registered-models/get", Map.of("name", name)).path("registered_model"));
        } catch (MlflowException e) {
            if (e.is("RESOURCE_DOES_NOT_EXIST")) return Optional.empty();
            throw e;
        }
    }

    /** alias → version. */
    public Map<String, String> aliases(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        model(name).ifPresent(m -> m.path("aliases").forEach(a -> out.put(a.path("alias").asText(), a.path("version").asText())));
        return out;
    }

    /**
     * The version number a reference names: a number as it is; an alias as {@code @name} or as a bare
     * name ({@code champion}, {@code challenger}, {@code previous}, or any alias set on the model).
     */
    public String resolveVersion(String name, String ref) {
        if (ref.matches("[0-9]+")) return ref;
        String alias = ref.startsWith("@") ? ref.substring(1) : ref;
        Map<String, String> aliases = aliases(name);
        String version = aliases.get(alias);
        if (version == null) {
            if (model(name).isEmpty()) {
                throw new TreelineException(ExitCode.USAGE,
                        "no registered model '" + name + "' in MLflow; 'treeline models list' shows the models");
            }
            throw new TreelineException(ExitCode.USAGE, "model '" + name + "' has no alias '" + alias
                    + "' (its aliases: " + (aliases.isEmpty() ? "none" : aliases) + "); give a version number or one of its aliases");
        }
        return version;
    }

    public Optional<ModelRef> byAlias(String name, String alias) {
        String version = aliases(name).get(alias);
        return version == null ? Optional.empty() : Optional.of(version(name, version));
    }

    public ModelRef version(String name, String version) {
        return toRef(rest.get("model-versions/get", Map.of("name", name, "version", version)).path("model_version"));
    }

    /** The version registered from {@code runId}, if any (registration is made idempotent with this). */
    public Optional<ModelRef> versionOfRun(String name, String runId) {
        JsonNode found = rest.get("model-versions/search", Map.of("filter", "name='" + name.replace("'", "\\'") + "' and run_id='" + runId + "'"))
                .path("model_versions");
        if (!found.isArray() || found.isEmpty()) return Optional.empty();
        return Optional.of(toRef(found.get(0)));
    }

    /** All versions, newest first. */
    public List<ModelRef> versions(String name) {
        List<ModelRef> out = new ArrayList<>();
        String token = null;
        do {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("filter", "name='" + name.replace("'", "\\'") + "'");
            q.put("max_results", "200");
            if (token != null) q.put("page_token", token);
            JsonNode page = rest.get("model-versions/search", q);
            page.path("model_versions").forEach(v -> out.add(toRef(v)));
            token = page.path("next_page_token").asText(null);
        } while (token != null && !token.isEmpty());
        out.sort((a, b) -> Long.compare(Long.parseLong(b.version()), Long.parseLong(a.version())));
        return out;
    }

    /** The version of {@code name} registered from {@code source} of run {@code runId}, if there is one. */
    Optional<JsonNode> versionFrom(String name, String runId, String source) {
        JsonNode page = rest.get("model-versions/search", Map.of("filter", "name='" + name.replace("'", "\\'") + "' and run_id='" + runId + "'",
                "max_results", "200"));
        for (JsonNode v : page.path("model_versions")) {
            if (source.equals(v.path("source").asText())) return Optional.of(v);
        }
        return Optional.empty();
    }

    /** Registers a version and waits until MLflow reports it READY. */
    public ModelRef createVersion(String name, String source, String runId, Map<String, String> tags, String description) {
        List<Map<String, String>> tagList = new ArrayList<>();
        tags.forEach((k, v) -> tagList.add(Map.of("key", k, "value", v)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("source", source);
        body.put("run_id", runId);
        body.put("tags", tagList);
        body.put("description", description == null ? "" : description);
        // A create answered by a 5xx or a timeout may have happened: the version made from this run's source is looked up first.
        JsonNode v = rest.create("model-versions/create", body, () -> versionFrom(name, runId, source).map(found -> Json.object().set("model_version", found)))
                .path("model_version");
        String version = v.path("version").asText();
        long deadline = System.currentTimeMillis() + 120_000;
        while (!"READY".equals(v.path("status").asText("READY"))) {
            if ("FAILED_REGISTRATION".equals(v.path("status").asText())) {
                throw new MlflowException(0, null, "MLflow failed to register " + name + " version " + version + ": " + v.path("status_message").asText(), null);
            }
            if (System.currentTimeMillis() > deadline) throw new MlflowException(0, null, name + " version " + version + " is still " + v.path("status").asText(), null);
            sleep();
            v = rest.get("model-versions/get", Map.of("name", name, "version", version)).path("model_version");
        }
        return toRef(v);
    }

    public void setAlias(String name, String alias, String version) {
        rest.post("registered-models/alias", Map.of("name", name, "alias", alias, "version", version));
    }

    public void deleteAlias(String name, String alias) {
        try {
            rest.delete("registered-models/alias", Map.of("name", name, "alias", alias));
        } catch (MlflowException e) {
            if (!e.is("RESOURCE_DOES_NOT_EXIST")) throw e;
        }
    }

    public void setModelTag(String name, String key, String value) {
        rest.post("registered-models/set-tag", Map.of("name", name, "key", key, "value", value));
    }

    /** The registered model's tags (empty when the model does not exist). */
    public Map<String, String> modelTags(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        model(name).ifPresent(m -> m.path("tags").forEach(t -> out.put(t.path("key").asText(), t.path("value").asText())));
        return out;
    }

    /** Registered models by name, with their aliases and tags as MLflow returns them. */
    public List<JsonNode> models() {
        List<JsonNode> out = new ArrayList<>();
        String token = null;
        do {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("max_results", "200");
            if (token != null) q.put("page_token", token);
            JsonNode page = rest.get("registered-models/search", q);
            page.path("registered_models").forEach(out::add);
            token = page.path("next_page_token").asText(null);
        } while (token != null && !token.isEmpty());
        return out;
    }

    public void setVersionTags(String name, String version, Map<String, String> tags) {
        tags.forEach((k, v) -> setVersionTag(name, version, k, v));
    }

    public void setVersionTag(String name, String version, String key, String value) {
        rest.post("model-versions/set-tag", Map.of("name", name, "version", version, "key", key, "value", value));
    }

    public void setDescription(String name, String version, String description) {
        rest.patch("model-versions/update", Map.of("name", name, "version", version, "description", description));
    }

    static ModelRef toRef(JsonNode v) {
        Map<String, String> tags = new LinkedHashMap<>();
        v.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
        return new ModelRef(v.path("name").asText(), v.path("version").asText(), v.path("run_id").asText(null),
                v.path("source").asText(null), tags);
    }

    private static void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
