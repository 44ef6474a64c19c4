package dev.treeline.pipelines.tracking;

import java.util.Map;

/** A registered model version as the registry reports it. */
public record ModelRef(String model, String version, String runId, String source, Map<String, String> tags) {}
