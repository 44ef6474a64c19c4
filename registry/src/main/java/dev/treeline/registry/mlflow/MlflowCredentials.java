package dev.treeline.registry.mlflow;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/**
 * How to authenticate to MLflow, from the environment as the MLflow clients define it:
 * MLFLOW_TRACKING_TOKEN (bearer) or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (basic).
 * The values never reach logs: toString shows the kind only.
 */
public record MlflowCredentials(String token, String username, String password) {
    public static final MlflowCredentials NONE = new MlflowCredentials(null, null, null);

    public static MlflowCredentials fromEnvironment(Function<String, String> env) {
        return new MlflowCredentials(blankToNull(env.apply("MLFLOW_TRACKING_TOKEN")),
                blankToNull(env.apply("MLFLOW_TRACKING_USERNAME")), blankToNull(env.apply("MLFLOW_TRACKING_PASSWORD")));
    }

    /** The Authorization header value, or null. */
    public String header() {
        if (token != null) return "Bearer " + token;
        if (username != null && password != null) {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    @Override
    public String toString() {
        return token != null ? "bearer token" : username != null ? "basic auth as " + username : "no credentials";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
