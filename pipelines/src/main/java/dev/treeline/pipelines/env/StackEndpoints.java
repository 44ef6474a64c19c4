package dev.treeline.pipelines.env;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.util.Processes;
import java.util.List;

/**
 * What a running local stack publishes so commands find MLflow and S3 without configuration: in its
 * workspace ({@code <workspace>/stack/endpoints.json}) and, for the stack on the default ports, for the
 * whole machine ({@code <cache>/local-stack.json}), so another checkout or workspace finds both services
 * of the same stack or neither. The secret lives in a separate 0600 file, never here.
 */
public record StackEndpoints(
        @JsonProperty("mlflow_url") String mlflowUrl,
        @JsonProperty("s3_endpoint") String s3Endpoint,
        @JsonProperty("s3_region") String s3Region,
        @JsonProperty("s3_credentials_file") String s3CredentialsFile,
        @JsonProperty("workspace") String workspace,
        @JsonProperty("stack_dir") String stackDir,
        @JsonProperty("pids") List<Long> pids) {

    public static final String FILE = "stack/endpoints.json";
    /** Under the cache directory: the machine's default stack (the one on the default ports). */
    public static final String MACHINE_FILE = "local-stack.json";

    /** Whether the stack's processes still run (a record written before pids were kept counts as running). */
    @JsonIgnore
    public boolean running() {
        if (pids == null || pids.isEmpty() || stackDir == null) return true;
        return pids.stream().allMatch(pid -> Processes.isOurs(pid, stackDir));
    }
}
