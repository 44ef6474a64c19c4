package dev.treeline.registry.mlflow;

/**
 * One MLflow server, spoken to over {@link MlflowRest} only: runs, registry, aliases and proxied
 * artifacts. (The official Java client builds its HTTP client without timeouts and retries creates
 * blindly; see docs/decisions.md.)
 */
public final class MlflowConnection implements AutoCloseable {
    private final String url;
    private final MlflowRest rest;

    public MlflowConnection(String url, MlflowCredentials credentials) {
        this.url = url;
        this.rest = new MlflowRest(url, credentials);
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

    @Override
    public void close() {
        // java.net.http's client holds no resources that need closing on Java 17.
    }
}
