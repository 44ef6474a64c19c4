package dev.treeline.pipelines.ingest.sources;

import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.util.Redaction;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code options:} of a jdbc source. The password comes from an environment variable or a file, never
 * from the spec itself, and never appears in messages.
 */
public record JdbcOptions(String url, String table, String query, String user, String passwordEnv, String passwordFile,
                          String partitionColumn, int numPartitions, int fetchSize, String watermarkColumn, List<String> key, long lookback,
                          int socketTimeoutSeconds) {

    public static JdbcOptions from(SpecNode n, String dataset) {
        if (n == null) throw new IllegalArgumentException("dataset '" + dataset + "' of format jdbc needs options: url, table or query");
        n.allowOnly("url", "table", "query", "user", "password_env", "password_file", "partition_column", "num_partitions", "fetch_size", "incremental",
                "socket_timeout_seconds");
        String url = n.requiredString("url");
        if (!url.startsWith("jdbc:")) throw n.require("url").error("'" + url + "' is not a JDBC URL (jdbc:postgresql://host:5432/db)");
        if (!Redaction.url(url).equals(url)) {
            throw n.require("url").error("the URL holds a secret (a password or token): give the password with password_env or password_file instead");
        }
        String table = n.string("table", null);
        String query = n.string("query", null);
        if ((table == null) == (query == null)) throw n.error("give exactly one of table: or query:");
        String watermark = null;
        List<String> key = List.of();
        long lookback = 0;
        if (n.has("incremental")) {
            SpecNode inc = n.require("incremental").allowOnly("watermark_column", "key", "lookback");
            watermark = inc.requiredString("watermark_column");
            lookback = inc.integer("lookback", 0, 0, Integer.MAX_VALUE);
            key = inc.stringList("key");
            if (key.isEmpty()) throw inc.error("an incremental read needs key: (the columns that identify a row), so updated rows replace their old version");
        }
        return new JdbcOptions(url, table, query, n.string("user", null), n.string("password_env", null), n.string("password_file", null),
                n.string("partition_column", null), n.integer("num_partitions", 1, 1, 1024), n.integer("fetch_size", 10_000, 1, 1_000_000),
                watermark, key, lookback, n.integer("socket_timeout_seconds", 600, 1, 86_400));
    }

    /** Orders two watermark values as the database printed them: numbers by value, times as text (same format, fixed width). */
    public static int compareWatermarks(String a, String b) {
        try {
            return new BigDecimal(a).compareTo(new BigDecimal(b));
        } catch (NumberFormatException notNumbers) {
            return a.compareTo(b);
        }
    }

    /**
     * The SQL condition "past {@code after}", reaching back {@code lookback} so rows committed late with a
     * watermark at or below the last one are read again (and merged by key, so rereading is harmless):
     * seconds for a time or date watermark, the column's own units for a number.
     */
    public String watermarkPast(String after) {
        String quoted = "'" + after.replace("'", "''") + "'";
        if (lookback == 0) return watermarkColumn + " > " + quoted;
        if (after.matches("\\d{4}-\\d{2}-\\d{2}.*")) return watermarkColumn + " > CAST(" + quoted + " AS TIMESTAMP) - INTERVAL '" + lookback + "' SECOND";
        try {
            return watermarkColumn + " > " + new BigDecimal(after).subtract(BigDecimal.valueOf(lookback)).toPlainString();
        } catch (NumberFormatException e) {
            throw new IllegalStateException("watermark " + after + " of column " + watermarkColumn + " is neither a time nor a number; lookback needs one");
        }
    }

    /** The SQL the source reads: the table, or the query as a subquery. */
    public String relation() {
        return table != null ? table : "(" + query + ") q";
    }

    /** The password, from the environment or the file; null when neither is set. */
    public String password() {
        if (passwordEnv != null) {
            String v = System.getenv(passwordEnv);
            if (v == null) throw new IllegalStateException("environment variable " + passwordEnv + " (password_env) is not set");
            return v;
        }
        if (passwordFile != null) {
            try {
                return Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read password_file " + passwordFile + ": " + e.getMessage());
            }
        }
        return null;
    }

    /** The URL for messages and the rejects' {@code source} column, with any secret in it masked. */
    public String safeUrl() {
        return Redaction.url(url);
    }
}
