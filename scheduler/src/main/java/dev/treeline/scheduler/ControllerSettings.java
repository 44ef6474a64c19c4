package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.util.Redaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The controller's own settings, the {@code controller:} section of a schedule file: the database that
 * holds Quartz's job store and the runs table (an H2 file under the workspace unless a JDBC URL is
 * given), whether controllers share it as a cluster, worker threads, misfire threshold and the metrics
 * endpoint. The database password comes from a file or the environment, never from the file itself.
 */
public record ControllerSettings(String jdbcUrl, String user, String password, boolean clustered, int threads, Duration misfireThreshold,
                                 Duration checkinInterval, String metricsHost, int metricsPort, SparkSubmitExecutor.Submit submit) {

    public static final String PASSWORD_ENV = "TREELINE_SCHEDULER_DB_PASSWORD";

    public boolean postgres() {
        return jdbcUrl.startsWith("jdbc:postgresql:");
    }

    /** Defaults: an H2 file in {@code <workspace>/scheduler/}, not clustered, 4 threads, metrics on 127.0.0.1:9464. */
    public static ControllerSettings defaults(Path workspace) {
        return new ControllerSettings(h2Url(workspace), "sa", H2Password.of(workspace), false, 4, Duration.ofSeconds(60), Duration.ofMillis(7500), "127.0.0.1", 9464, null);
    }

    static String h2Url(Path workspace) {
        // AUTO_SERVER lets the CLI's status, runs and backfill commands use the file while a controller holds it; claims
        // lock a schedule's active rows, so a waiting claim gets 10 s instead of H2's default 1 s.
        return "jdbc:h2:file:" + Workspace.at(workspace.toAbsolutePath()).scheduler().resolve("treeline") + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000";
    }

    static ControllerSettings from(SpecNode n, Path baseDir, Path workspace, Function<String, String> env) {
        ControllerSettings d = defaults(workspace);
        if (n == null) return d;
        n.allowOnly("jdbc_url", "user", "password_file", "clustered", "threads", "misfire_threshold_seconds", "checkin_interval_millis",
                "metrics_host", "metrics_port", "submit");
        String url = n.string("jdbc_url", d.jdbcUrl());
        if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
            throw n.require("jdbc_url").error("'" + Redaction.url(url) + "' is not a PostgreSQL or H2 JDBC URL (jdbc:postgresql://host:5432/db or jdbc:h2:file:/path)");
        }
        String password = env.apply(PASSWORD_ENV);
        if (n.has("password_file")) {
            Path f = baseDir.resolve(n.requiredString("password_file"));
            try {
                password = Files.readString(f).strip();
            } catch (IOException e) {
                throw n.require("password_file").error("cannot read " + f + ": " + e.getMessage());
            }
        }
        if (password == null) password = url.startsWith("jdbc:h2:") ? H2Password.of(workspace) : null;
        if (password == null) {
            throw new TreelineException(ExitCode.SPEC, n.where() + ": controller.jdbc_url needs a password: set controller.password_file or " + PASSWORD_ENV);
        }
        boolean clustered = n.bool("clustered", url.startsWith("jdbc:postgresql:"));
        return new ControllerSettings(url, n.string("user", url.startsWith("jdbc:h2:") ? "sa" : "treeline"), password, clustered,
                n.integer("threads", 4, 1, 64), Duration.ofSeconds(n.integer("misfire_threshold_seconds", 60, 1, 86_400)),
                Duration.ofMillis(n.integer("checkin_interval_millis", 7500, 500, 600_000)), n.string("metrics_host", "127.0.0.1"),
                n.integer("metrics_port", 9464, -1, 65_535), n.has("submit") ? submit(n.require("submit"), baseDir, env) : null);
    }

    /** {@code controller.submit}: run attempts with spark-submit on a cluster instead of in the controller. */
    static SparkSubmitExecutor.Submit submit(SpecNode n, Path baseDir, Function<String, String> env) {
        n.allowOnly("spark_home", "master", "deploy_mode", "app_jar", "main_class", "conf");
        String home = n.string("spark_home", env.apply("SPARK_HOME"));
        // Unset: 'treeline scheduler start' uses pyspark's distribution, installed into the cache like 'treeline run --master'.
        if (home != null && home.isBlank()) home = null;
        String mode = n.has("deploy_mode") ? n.require("deploy_mode").asEnum(List.of("client", "cluster")) : "client";
        return new SparkSubmitExecutor.Submit(home == null ? null : baseDir.resolve(home), n.requiredString("master"), mode,
                n.has("app_jar") ? baseDir.resolve(n.requiredString("app_jar")) : null, n.string("main_class", "dev.treeline.cli.Treeline"),
                n.has("conf") ? n.require("conf").asStringMap() : Map.of());
    }

    @Override
    public String toString() {
        return "ControllerSettings[" + displayUrl() + ", user " + user + ", clustered " + clustered + "]";
    }

    /** The database URL for messages and logs, with any secret in it masked. */
    public String displayUrl() {
        return Redaction.url(jdbcUrl);
    }
}
