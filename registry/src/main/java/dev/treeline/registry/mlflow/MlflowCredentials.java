package dev.treeline.registry.mlflow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * How to authenticate to MLflow, as the MLflow clients define it: MLFLOW_TRACKING_TOKEN (bearer) or
 * MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (basic) from the environment, else the
 * credentials file ({@code $MLFLOW_TRACKING_CREDENTIALS_FILE}, else {@code ~/.mlflow/credentials}: an INI
 * section {@code [mlflow]} with {@code mlflow_tracking_token} or {@code mlflow_tracking_username} and
 * {@code mlflow_tracking_password}). The values never reach logs: toString shows the kind only.
 */
public record MlflowCredentials(String token, String username, String password) {
    public static final MlflowCredentials NONE = new MlflowCredentials(null, null, null);

    public static MlflowCredentials fromEnvironment(Function<String, String> env) {
        MlflowCredentials fromEnv = new MlflowCredentials(blankToNull(env.apply("MLFLOW_TRACKING_TOKEN")),
                blankToNull(env.apply("MLFLOW_TRACKING_USERNAME")), blankToNull(env.apply("MLFLOW_TRACKING_PASSWORD")));
        if (fromEnv.header() != null) return fromEnv;
        String file = blankToNull(env.apply("MLFLOW_TRACKING_CREDENTIALS_FILE"));
        Path path = file != null ? Path.of(file) : Path.of(System.getProperty("user.home"), ".mlflow", "credentials");
        if (!Files.isRegularFile(path)) {
            if (file != null) {
                throw new MlflowException(0, null, "MLFLOW_TRACKING_CREDENTIALS_FILE names " + path + ", which does not exist", null);
            }
            return fromEnv;
        }
        return fromFile(path);
    }

    /** The {@code [mlflow]} section of an INI credentials file. */
    static MlflowCredentials fromFile(Path path) {
        Map<String, String> values = new HashMap<>();
        try {
            boolean inSection = false;
            for (String raw : Files.readAllLines(path)) {
                String line = raw.strip();
                if (line.startsWith("[")) inSection = line.equals("[mlflow]");
                else if (inSection && line.contains("=") && !line.startsWith("#") && !line.startsWith(";")) {
                    values.put(line.substring(0, line.indexOf('=')).strip(), line.substring(line.indexOf('=') + 1).strip());
                }
            }
        } catch (IOException e) {
            throw new MlflowException(0, null, "cannot read the MLflow credentials file " + path + ": " + e.getMessage(), e);
        }
        return new MlflowCredentials(blankToNull(values.get("mlflow_tracking_token")), blankToNull(values.get("mlflow_tracking_username")),
                blankToNull(values.get("mlflow_tracking_password")));
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
