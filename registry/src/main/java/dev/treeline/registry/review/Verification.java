package dev.treeline.registry.review;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code treeline models verify} found for one published version: files against the manifest, the
 * pointer, and the re-scored sample. {@code problems} is empty when everything matches.
 */
public record Verification(
        @JsonProperty("model") String model,
        @JsonProperty("version") String version,
        @JsonProperty("requested") String requested,
        @JsonProperty("location") String location,
        @JsonProperty("files") int files,
        @JsonProperty("serving") boolean serving,
        @JsonProperty("ok") boolean ok,
        @JsonProperty("problems") List<String> problems,
        @JsonProperty("sample_rows") Long sampleRows,
        @JsonProperty("max_abs_diff") Double maxAbsDiff,
        @JsonProperty("tolerance") Double tolerance) {

    /** How the downloaded bundle scores its own stored sample (the training module knows how; the registry does not). */
    public record Parity(long rows, double maxAbsDiff, double tolerance) {
        public boolean holds() {
            return maxAbsDiff <= tolerance;
        }
    }

    /** Reloads a downloaded bundle and re-scores its sample; null when the bundle has no sample. */
    @FunctionalInterface
    public interface BundleCheck {
        Parity check(Path bundleDir);
    }

    /** "MODEL version N" with the alias it was asked by, e.g. "flights-delay version 3 (champion)". */
    public String named() {
        return model + " version " + version + (requested.equals(version) ? "" : " (" + requested + ")");
    }
}
