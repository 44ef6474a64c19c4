package dev.treeline.scoring;

/** MLflow metric keys allow letters, digits and {@code _ - . / space}: feature names are made to fit. */
final class MetricNames {
    private MetricNames() {}

    static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9_\\-./ ]", "_");
    }
}
