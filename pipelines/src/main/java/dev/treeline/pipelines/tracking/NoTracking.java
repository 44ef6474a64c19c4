package dev.treeline.pipelines.tracking;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Used when no tracking backend is on the classpath (unit tests of single steps): records nothing. */
public final class NoTracking implements Tracking {
    @Override
    public Tracker start(String experiment, String runName, Map<String, String> tags) {
        return new NullTracker("local-" + UUID.randomUUID());
    }

    @Override
    public Tracker resume(String runId) {
        return new NullTracker(runId);
    }

    @Override
    public ModelStore models() {
        return new ModelStore() {
            @Override
            public Optional<ModelRef> byAlias(String model, String alias) {
                return Optional.empty();
            }

            @Override
            public Path download(ModelRef ref, Path target) {
                throw new UnsupportedOperationException("no model registry configured");
            }
        };
    }

    @Override
    public String describe() {
        return "no tracking";
    }

    record NullTracker(String runId) implements Tracker {
        public String url() { return ""; }
        public void logParams(Map<String, String> params) {}
        public void logMetrics(Map<String, Double> metrics) {}
        public void logMetricHistory(String key, double[] values) {}
        public void setTags(Map<String, String> tags) {}
        public void logArtifacts(Path fileOrDirectory, String artifactPath) {}
        public void end(boolean succeeded) {}
        public Tracker child(String name, Map<String, String> tags) { return new NullTracker(runId + "/" + name); }
    }
}
