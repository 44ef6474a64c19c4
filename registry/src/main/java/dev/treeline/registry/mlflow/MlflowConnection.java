package dev.treeline.registry.mlflow;

import java.net.SocketTimeoutException;
import java.util.function.Supplier;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

/**
 * One MLflow server: the official Java client for runs (create, log-batch, terminate) and our REST
 * client for what it lacks (registry writes, aliases, proxied artifacts).
 */
public final class MlflowConnection implements AutoCloseable {
    private final String url;
    private final MlflowRest rest;
    private final MlflowClient client;

    public MlflowConnection(String url, MlflowCredentials credentials) {
        this.url = url;
        this.rest = new MlflowRest(url, credentials);
        BasicMlflowHostCreds creds = credentials.token() != null ? new BasicMlflowHostCreds(url, credentials.token())
                : new BasicMlflowHostCreds(url, credentials.username(), credentials.password());
        this.client = new MlflowClient(creds);
    }

    public static MlflowConnection fromEnvironment(String url) {
        return new MlflowConnection(url, MlflowCredentials.fromEnvironment(System::getenv));
    }

    public String url() {
        return url;
    }

    public MlflowRest rest() {
        return rest;
    }

    public MlflowRegistry registry() {
        return new MlflowRegistry(rest);
    }

    public MlflowArtifacts artifacts() {
        return new MlflowArtifacts(rest);
    }

    /** Runs {@code call} on the Java client, turning its exceptions into {@link MlflowException}. */
    <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (MlflowHttpException e) {
            throw new MlflowException(e.getStatusCode(), null, "MLflow at " + url + " refused " + what + ": HTTP "
                    + e.getStatusCode() + ": " + e.getBodyMessage(), e);
        } catch (MlflowClientException e) {
            throw MlflowException.unreachable(url, reason(e), e);
        }
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = String.valueOf(t.getMessage());
        if (m.contains("refused")) return "connection refused";
        if (t instanceof SocketTimeoutException) return "timed out";
        return m.length() > 200 ? m.substring(0, 200) : m;
    }

    MlflowClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
    }
}
