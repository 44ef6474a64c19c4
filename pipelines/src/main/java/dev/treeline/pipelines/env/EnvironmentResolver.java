package dev.treeline.pipelines.env;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Resolves settings in this order: command-line flags, environment variables, the running local stack,
 * built-in defaults. The local stack is the workspace's own ({@code <workspace>/stack/endpoints.json})
 * when it has one, else the machine's (the stack on the default ports, {@code <cache>/local-stack.json});
 * MLflow and S3 always come from the same stack, or neither does. See docs/configuration.md.
 */
public final class EnvironmentResolver {
    private final Function<String, String> env;

    public EnvironmentResolver(Function<String, String> env) {
        this.env = env;
    }

    public static EnvironmentResolver system() {
        return new EnvironmentResolver(System::getenv);
    }

    /** Workspace: flag, then TREELINE_HOME, then {@code .treeline} in the current directory. */
    public Path workspace(Path flag) {
        if (flag != null) return flag.toAbsolutePath().normalize();
        String home = env.apply("TREELINE_HOME");
        if (home != null && !home.isBlank()) return Path.of(home).toAbsolutePath().normalize();
        return Path.of(".treeline").toAbsolutePath().normalize();
    }

    /** Download cache shared by all clones: TREELINE_CACHE, then $XDG_CACHE_HOME/treeline, then ~/.cache/treeline. */
    public Path cacheDir() {
        String explicit = env.apply("TREELINE_CACHE");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit).toAbsolutePath();
        String xdg = env.apply("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("treeline").toAbsolutePath();
    }

    public Environment resolve(Path workspaceFlag, String mlflowFlag, String masterFlag, Map<String, String> params) {
        Path workspace = workspace(workspaceFlag);
        StackEndpoints stack = runningStack(workspace);

        // No default URL: a server that happens to answer on 5000 may belong to another stack whose S3 this one cannot use.
        String mlflow = first(mlflowFlag, env.apply("TREELINE_MLFLOW_URI"), env.apply("MLFLOW_TRACKING_URI"),
                stack == null ? null : stack.mlflowUrl());

        String endpoint = first(env.apply("TREELINE_S3_ENDPOINT"), env.apply("AWS_ENDPOINT_URL_S3"), env.apply("AWS_ENDPOINT_URL"));
        String region = first(env.apply("TREELINE_S3_REGION"), env.apply("AWS_REGION"), env.apply("AWS_DEFAULT_REGION"),
                stack == null ? null : stack.s3Region(), "us-east-1");
        String key = env.apply("AWS_ACCESS_KEY_ID");
        String secret = env.apply("AWS_SECRET_ACCESS_KEY");
        boolean localStack = false;
        if (endpoint == null && key == null && stack != null) {
            localStack = true;
            // Nothing configured: use the local stack's S3 API and its generated credentials.
            endpoint = stack.s3Endpoint();
            Properties creds = readCredentials(Path.of(stack.s3CredentialsFile()));
            key = creds.getProperty("access_key_id");
            secret = creds.getProperty("secret_access_key");
        }
        S3Settings s3 = new S3Settings(endpoint, region, key, secret, sse(env.apply("TREELINE_S3_SSE"), env.apply("TREELINE_S3_SSE_KMS_KEY_ID"), localStack),
                env.apply("TREELINE_S3_SSE_KMS_KEY_ID"));
        return new Environment(workspace, cacheDir(), mlflow == null ? null : stripSlash(mlflow), s3, sparkMaster(masterFlag), Map.copyOf(params));
    }

    /** The Spark master asked for: --master, then TREELINE_SPARK_MASTER; null leaves it to the spec (else local[*]). */
    public String sparkMaster(String masterFlag) {
        return first(masterFlag, env.apply("TREELINE_SPARK_MASTER"));
    }

    /** A port: the flag, then the variable, then {@code fallback}; a variable that is not a number is a usage error naming it. */
    public int port(Integer flag, String variable, int fallback) {
        if (flag != null) return flag;
        String v = env.apply(variable);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new TreelineException(ExitCode.USAGE, variable + "='" + v + "' is not a port number");
        }
    }

    /** The schedule file: the flag, then TREELINE_SCHEDULES; null when neither is set. */
    public Path schedules(Path flag) {
        String v = first(flag == null ? null : flag.toString(), env.apply("TREELINE_SCHEDULES"));
        return v == null ? null : Path.of(v);
    }

    /** The serving bucket when neither the command nor the model names one: TREELINE_S3_BUCKET, else {@code fallback}. */
    public String servingBucket(String fallback) {
        return first(env.apply("TREELINE_S3_BUCKET"), fallback);
    }

    /** The Spark distribution for spark-submit: the flag, then SPARK_HOME; null leaves it to the installer (pyspark's). */
    public Path sparkHome(Path flag) {
        if (flag != null) return flag.toAbsolutePath();
        String v = env.apply("SPARK_HOME");
        return v == null || v.isBlank() ? null : Path.of(v);
    }

    /** A directory of datasets laid out as {@code <dir>/german-credit/german.data}: TREELINE_DATA_DIR; null when unset. */
    public Path dataDir() {
        String v = env.apply("TREELINE_DATA_DIR");
        return v == null || v.isBlank() ? null : Path.of(v);
    }

    /** A copy of the flights data to use instead of fetching it: TREELINE_DATA; null when unset. */
    public Path flightsData() {
        String v = env.apply("TREELINE_DATA");
        return v == null || v.isBlank() ? null : Path.of(v);
    }

    /** The Maven repository the installer downloads S3Proxy from: TREELINE_MAVEN_REPO, else Maven Central. */
    public String mavenRepo() {
        return first(env.apply("TREELINE_MAVEN_REPO"), "https://repo1.maven.org/maven2");
    }

    /** Settings that use the given local stack whatever the environment says (the demo's choice). */
    public Environment forLocalStack(Path workspace, StackEndpoints stack, Map<String, String> params) {
        Properties creds = readCredentials(Path.of(stack.s3CredentialsFile()));
        S3Settings s3 = new S3Settings(stack.s3Endpoint(), stack.s3Region(), creds.getProperty("access_key_id"),
                creds.getProperty("secret_access_key"), S3Settings.SSE_NONE, null);
        return new Environment(workspace.toAbsolutePath().normalize(), cacheDir(), stripSlash(stack.mlflowUrl()), s3,
                sparkMaster(null), Map.copyOf(params));
    }

    /** TREELINE_S3_SSE if set; else SSE-KMS with a key id, none on the local stack, SSE-S3 anywhere else. */
    static String sse(String configured, String kmsKeyId, boolean localStack) {
        if (configured != null && !configured.isBlank()) {
            String v = configured.trim();
            if (!v.equals(S3Settings.SSE_S3) && !v.equals(S3Settings.SSE_KMS) && !v.equals(S3Settings.SSE_NONE)) {
                throw new TreelineException(ExitCode.USAGE, "TREELINE_S3_SSE='" + v + "' is not one of "
                        + S3Settings.SSE_S3 + ", " + S3Settings.SSE_KMS + ", " + S3Settings.SSE_NONE);
            }
            if (v.equals(S3Settings.SSE_KMS) && (kmsKeyId == null || kmsKeyId.isBlank())) {
                throw new TreelineException(ExitCode.USAGE,
                        "TREELINE_S3_SSE=aws:kms needs the key: set TREELINE_S3_SSE_KMS_KEY_ID");
            }
            return v;
        }
        if (kmsKeyId != null && !kmsKeyId.isBlank()) return S3Settings.SSE_KMS;
        return localStack ? S3Settings.SSE_NONE : S3Settings.SSE_S3;
    }

    /** The local stack this workspace uses: its own if it has one (null when that one is not running), else the machine's if it runs. */
    public StackEndpoints runningStack(Path workspace) {
        StackEndpoints own = readStack(workspace);
        if (own != null) return own.running() ? own : null;
        StackEndpoints machine = readStackFile(cacheDir().resolve(StackEndpoints.MACHINE_FILE));
        return machine != null && machine.running() ? machine : null;
    }

    /**
     * Why there is no MLflow to use, and the fixes, naming the workspace: the one error for every
     * command that needs the registry or tracking when nothing is configured and no stack runs.
     */
    public static TreelineException noMlflow(Path workspace, Path cacheDir) {
        Path own = workspace.resolve(StackEndpoints.FILE);
        if (Files.isRegularFile(own)) {
            return new TreelineException(ExitCode.STACK, "the local stack of workspace " + workspace + " is not running (stopped, or the machine "
                    + "restarted): start it with './treeline local up --workspace " + workspace + "', or set MLFLOW_TRACKING_URI");
        }
        return new TreelineException(ExitCode.STACK, "no MLflow server is configured and no local stack runs for workspace " + workspace
                + " (nor on the default ports, " + cacheDir.resolve(StackEndpoints.MACHINE_FILE) + "): start one with './treeline local up' "
                + "(or './treeline demo'), set MLFLOW_TRACKING_URI or --mlflow-uri, or use the workspace whose stack runs (--workspace DIR or TREELINE_HOME)");
    }

    public static StackEndpoints readStack(Path workspace) {
        return readStackFile(workspace.resolve(StackEndpoints.FILE));
    }

    public static StackEndpoints readStackFile(Path file) {
        if (!Files.isRegularFile(file)) return null;
        try {
            return Json.read(file, StackEndpoints.class);
        } catch (IOException e) {
            throw new TreelineException(ExitCode.STACK, file + ": unreadable (" + e.getMessage() + "); run 'treeline local down' then 'treeline local up'");
        }
    }

    public static Properties readCredentials(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new TreelineException(ExitCode.STACK, "cannot read the local stack's S3 credentials " + file
                    + " (" + e.getMessage() + "); run 'treeline local up' again");
        }
        return p;
    }

    private static String first(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v;
        return null;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
