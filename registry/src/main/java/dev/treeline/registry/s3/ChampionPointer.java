package dev.treeline.registry.s3;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code <model>/champion.json}: which published version serving should load. Written last. */
public record ChampionPointer(
        @JsonProperty("model") String model,
        @JsonProperty("version") String version,
        @JsonProperty("prefix") String prefix,
        @JsonProperty("manifest") String manifestKey,
        @JsonProperty("manifest_sha256") String manifestSha256,
        @JsonProperty("updated_at") String updatedAt) {

    public static final String FILE = "champion.json";
}
