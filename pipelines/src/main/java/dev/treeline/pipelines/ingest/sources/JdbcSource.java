package dev.treeline.pipelines.ingest.sources;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.ColumnType;
import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.util.Messages;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Properties;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Reads a table or query over JDBC (PostgreSQL first): only the rows of a day window, or only the rows
 * changed since a watermark; in parallel over a numeric or date column when asked.
 */
public final class JdbcSource {
    private JdbcSource() {}

    /** What to read: rows whose time column falls in [from, to] days, or rows whose watermark column is past {@code after}. */
    public record Filter(String timeColumn, LocalDate from, LocalDate to, String watermarkAfter, String watermarkUpTo) {}

    public static SourceRows read(SparkSession spark, DatasetSpec ds, Filter filter) {
        JdbcOptions o = JdbcOptions.from(ds.options(), ds.name());
        String where = where(o, filter);
        String relation = "(SELECT * FROM " + o.relation() + (where.isEmpty() ? "" : " WHERE " + where) + ") src";
        Properties props = properties(o);
        DataFrameReader reader = spark.read().format("jdbc").option("url", o.url()).option("dbtable", relation)
                .option("fetchsize", o.fetchSize());
        props.forEach((k, v) -> reader.option((String) k, (String) v));
        if (o.partitionColumn() != null && o.numPartitions() > 1) {
            String[] bounds = bounds(o, props, relation);
            if (bounds != null) {
                reader.option("partitionColumn", o.partitionColumn()).option("lowerBound", bounds[0]).option("upperBound", bounds[1])
                        .option("numPartitions", o.numPartitions());
            }
        }
        Dataset<Row> read;
        try {
            read = reader.load();
        } catch (Exception e) {
            throw explain(e, o, ds);
        }
        var schema = ds.hasSchema() ? ds.schema() : null;
        if (schema == null) {
            var asIs = new LinkedHashMap<String, ColumnType>();
            for (var f : read.schema().fields()) {
                for (var t : ColumnType.values()) {
                    if (t.matches(f.dataType())) {
                        asIs.put(f.name(), t);
                        break;
                    }
                }
            }
            schema = asIs;
        } else {
            List<String> missing = schema.keySet().stream().filter(c -> !List.of(read.columns()).contains(c)).toList();
            if (!missing.isEmpty()) {
                throw TreelineException.data("source '" + ds.name() + "' (" + o.safeUrl() + " " + o.relation() + ") has no column " + missing
                        + " (it has " + List.of(read.columns()) + "); fix the query or the schema in datasets." + ds.name());
            }
        }
        Dataset<Row> rows = TypedColumns.convert(read, schema, TypedColumns.Formats.DEFAULT, null, null,
                functions.lit(o.safeUrl() + " " + o.relation()));
        return new SourceRows(rows, List.copyOf(schema.keySet()), List.of());
    }

    /** The largest watermark value among rows past {@code after}, or null when there are none. */
    public static String maxWatermark(DatasetSpec ds, String after) {
        JdbcOptions o = JdbcOptions.from(ds.options(), ds.name());
        String sql = "SELECT CAST(max(" + o.watermarkColumn() + ") AS VARCHAR) FROM " + o.relation()
                + (after == null ? "" : " WHERE " + o.watermarkPast(after));
        try (Connection c = connect(o); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getString(1) : null;
        } catch (SQLException e) {
            throw explain(e, o, ds);
        }
    }

    static String where(JdbcOptions o, Filter f) {
        List<String> parts = new ArrayList<>();
        if (f.watermarkAfter() != null) parts.add(o.watermarkPast(f.watermarkAfter()));
        if (f.watermarkUpTo() != null) parts.add(o.watermarkColumn() + " <= '" + f.watermarkUpTo().replace("'", "''") + "'");
        if (f.from() != null) parts.add(f.timeColumn() + " >= '" + f.from() + "'");
        if (f.to() != null) parts.add(f.timeColumn() + " < '" + f.to().plusDays(1) + "'");
        return String.join(" AND ", parts);
    }

    private static String[] bounds(JdbcOptions o, Properties props, String relation) {
        try (Connection c = connect(o); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT CAST(min(" + o.partitionColumn() + ") AS VARCHAR), CAST(max(" + o.partitionColumn() + ") AS VARCHAR) FROM " + relation)) {
            if (!r.next() || r.getString(1) == null) return null;
            return new String[] {r.getString(1), r.getString(2)};
        } catch (SQLException e) {
            throw explain(e, o, null);
        }
    }

    static Connection connect(JdbcOptions o) throws SQLException {
        return DriverManager.getConnection(o.url(), properties(o));
    }

    static Properties properties(JdbcOptions o) {
        Properties p = new Properties();
        if (o.user() != null) p.setProperty("user", o.user());
        try {
            String password = o.password();
            if (password != null) p.setProperty("password", password);
        } catch (IllegalStateException e) {
            throw new TreelineException(ExitCode.SPEC, e.getMessage());
        }
        p.setProperty("connectTimeout", "10");
        // A database that stops answering mid-read fails the read after this long instead of hanging the run; rows stream
        // in fetch_size batches, so a healthy read is never this silent. (PostgreSQL's driver; others ignore unknown keys.)
        p.setProperty("socketTimeout", Integer.toString(o.socketTimeoutSeconds()));
        return p;
    }

    /** One line naming the database (without secrets) and the fix. */
    public static TreelineException explain(Exception e, JdbcOptions o, DatasetSpec ds) {
        String m = Messages.rootMessage(e);
        String who = o.safeUrl() + (o.user() == null ? "" : " as " + o.user());
        if (m.contains("Connection refused") || m.contains("refused") || m.contains("connect timed out")) {
            return new TreelineException(ExitCode.SERVICE, "cannot connect to " + who + ": connection refused; check options.url and that the database is running", e);
        }
        if (m.contains("password authentication failed") || m.contains("authentication")) {
            return new TreelineException(ExitCode.SERVICE, "the database at " + who + " refused the credentials; check options.user and the password in "
                    + (o.passwordEnv() != null ? "$" + o.passwordEnv() : o.passwordFile() != null ? o.passwordFile() : "password_env"), e);
        }
        if (m.contains("does not exist")) {
            return TreelineException.data("source at " + who + ": " + m + "; fix options.table or options.query");
        }
        if (m.contains("Read timed out") || m.contains("SocketTimeout")) {
            return new TreelineException(ExitCode.SERVICE, "the database at " + who + " stopped answering (no data for options.socket_timeout_seconds "
                    + o.socketTimeoutSeconds() + " s); check that it is up and not blocked, then run the date again", e);
        }
        return new TreelineException(ExitCode.SERVICE, "reading " + who + " failed: " + m, e);
    }
}
