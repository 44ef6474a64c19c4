package dev.treeline.pipelines.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/** One step's record inside {@link RunState}. */
public final class StepState {
    @JsonProperty public String name;
    @JsonProperty public String type;
    @JsonProperty public RunStatus status = RunStatus.PENDING;
    @JsonProperty("cache_key") public String cacheKey;
    @JsonProperty public int attempts;
    @JsonProperty("started_at") public String startedAt;
    @JsonProperty public Double seconds;
    @JsonProperty public String summary;
    @JsonProperty public String error;
    @JsonProperty public Map<String, Double> numbers = new LinkedHashMap<>();
    @JsonProperty public Map<String, String> facts = new LinkedHashMap<>();

    public StepState() {}

    StepState(String name, String type) {
        this.name = name;
        this.type = type;
    }
}
