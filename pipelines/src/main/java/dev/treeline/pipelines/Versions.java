package dev.treeline.pipelines;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions pinned in the root pom.xml, as built into this jar. */
public final class Versions {
    private static final Properties P = load();

    private Versions() {}

    public static String treeline() {
        return P.getProperty("treeline");
    }

    public static String spark() {
        return P.getProperty("spark");
    }

    public static String xgboost() {
        return P.getProperty("xgboost");
    }

    public static String xgboostArtifact() {
        return P.getProperty("xgboost.artifact");
    }

    public static String mlflowServer() {
        return P.getProperty("mlflow.server");
    }

    public static String s3proxy() {
        return P.getProperty("s3proxy");
    }

    public static String s3proxySha256() {
        return P.getProperty("s3proxy.sha256");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
            if (in == null) throw new IllegalStateException("versions.properties missing from the Treeline jar");
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
