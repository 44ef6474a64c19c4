package dev.treeline.scheduler.alerts;

import dev.treeline.pipelines.spec.SpecNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code alerts:} section of a schedule file: the channels every alert goes to and when a run of failed
 * gates becomes an incident. Secrets (the webhook URL, the SMTP password) are read from an environment
 * variable ({@code *_env}) or a file ({@code *_file}), never written in the schedule file.
 *
 * <pre>
 * alerts:
 *   gate_failed_nights: 3
 *   channels:
 *     - {type: webhook, url_env: TREELINE_ALERT_WEBHOOK_URL}
 *     - {type: email, smtp_host: smtp.example.com, smtp_port: 587, user: treeline, password_env: TREELINE_SMTP_PASSWORD,
 *        from: treeline@example.com, to: [ml-oncall@example.com]}
 * </pre>
 */
public record AlertSettings(List<AlertChannel> channels, int gateFailedNights) {
    public static final AlertSettings NONE = new AlertSettings(List.of(), 3);

    public static AlertSettings parse(SpecNode n, Path baseDir, Function<String, String> env) {
        if (n == null) return NONE;
        n.allowOnly("channels", "gate_failed_nights");
        List<AlertChannel> channels = new ArrayList<>();
        if (n.has("channels")) {
            for (SpecNode c : n.require("channels").asList()) {
                String type = c.require("type").asEnum(List.of("webhook", "email"));
                channels.add(type.equals("webhook") ? webhook(c, baseDir, env) : email(c, baseDir, env));
            }
        }
        return new AlertSettings(List.copyOf(channels), n.integer("gate_failed_nights", 3, 1, 365));
    }

    private static AlertChannel webhook(SpecNode c, Path baseDir, Function<String, String> env) {
        c.allowOnly("type", "url_env", "url_file", "timeout_seconds");
        String url = secret(c, "url", baseDir, env);
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw c.error("the webhook URL (from " + (c.has("url_env") ? "$" + c.requiredString("url_env") : c.requiredString("url_file"))
                    + ") is not a URL");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw c.error("the webhook URL must be http:// or https:// (an https one for anything but loopback)");
        }
        return new WebhookChannel(uri, Duration.ofSeconds(c.integer("timeout_seconds", 10, 1, 300)));
    }

    private static AlertChannel email(SpecNode c, Path baseDir, Function<String, String> env) {
        c.allowOnly("type", "smtp_host", "smtp_port", "starttls", "user", "password_env", "password_file", "from", "to", "ca_file", "timeout_seconds");
        String user = c.string("user", null);
        String password = user == null ? null : secret(c, "password", baseDir, env);
        List<String> to = c.require("to").isList() ? c.stringList("to") : List.of(c.requiredString("to"));
        if (to.isEmpty()) throw c.require("to").error("no recipients");
        return new EmailChannel(new EmailChannel.Smtp(c.requiredString("smtp_host"), c.integer("smtp_port", 587, 1, 65_535), c.bool("starttls", true),
                user, password, c.requiredString("from"), to, c.has("ca_file") ? baseDir.resolve(c.requiredString("ca_file")) : null,
                Duration.ofSeconds(c.integer("timeout_seconds", 10, 1, 300))));
    }

    /** {@code <what>_env} names an environment variable, {@code <what>_file} a file (first line): exactly one of them. */
    static String secret(SpecNode c, String what, Path baseDir, Function<String, String> env) {
        boolean fromEnv = c.has(what + "_env");
        boolean fromFile = c.has(what + "_file");
        if (fromEnv == fromFile) {
            throw c.error("set exactly one of " + what + "_env (an environment variable's name) or " + what + "_file (a file holding it); "
                    + "secrets are never written in the schedule file");
        }
        if (fromEnv) {
            String name = c.requiredString(what + "_env");
            String v = env.apply(name);
            if (v == null || v.isBlank()) throw c.require(what + "_env").error("environment variable " + name + " is not set");
            return v.strip();
        }
        Path f = baseDir.resolve(c.requiredString(what + "_file"));
        try {
            return Files.readAllLines(f).stream().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw c.require(what + "_file").error("cannot read " + f + ": " + e.getMessage());
        }
    }
}
