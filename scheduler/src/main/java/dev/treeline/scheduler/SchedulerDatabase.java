package dev.treeline.scheduler;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.Messages;
import dev.treeline.pipelines.util.Redaction;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.quartz.impl.jdbcjobstore.JobStoreTX;

/**
 * The controller's database: one connection pool, and the schema (Quartz's tables from the DDL that
 * ships in its jar, and Treeline's runs tables) created when missing. Controllers that start together
 * may race to create it; the loser finds the tables there.
 */
public final class SchedulerDatabase implements AutoCloseable {
    private final ControllerSettings settings;
    private final HikariDataSource pool;

    public SchedulerDatabase(ControllerSettings settings) {
        this.settings = settings;
        if (!settings.postgres()) H2Password.adopt(settings.jdbcUrl(), settings.user(), settings.password());
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(settings.jdbcUrl());
        c.setUsername(settings.user());
        c.setPassword(settings.password());
        c.setMaximumPoolSize(Math.max(4, settings.threads() + 2));
        c.setPoolName("treeline-runs");
        c.setConnectionTimeout(15_000);
        // A database that stops answering fails the call after a minute (PostgreSQL's driver); the attempt is tried again.
        if (settings.postgres()) c.addDataSourceProperty("socketTimeout", "60");
        try {
            this.pool = new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw new TreelineException(ExitCode.SERVICE, "cannot connect to the scheduler database " + settings.displayUrl() + ": " + Redaction.text(Messages.rootMessage(e))
                    + (settings.postgres() ? "; check controller.jdbc_url, controller.user and the password (" + ControllerSettings.PASSWORD_ENV + ")" : ""), e);
        }
        createSchema();
    }

    public ControllerSettings settings() {
        return settings;
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    public DataSource dataSource() {
        return pool;
    }

    private void createSchema() {
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Connection c = connection()) {
                if (!exists(c, "QRTZ_LOCKS")) run(c, quartzDdl());
                if (!exists(c, "TREELINE_RUNS")) run(c, RunsTable.DDL);
                if (!exists(c, "TREELINE_CONTROLLERS")) run(c, RunsTable.CONTROLLERS_DDL); // added after the first release: databases from before lack it
                if (!exists(c, "TREELINE_INCIDENTS")) run(c, IncidentsTable.DDL);
                return;
            } catch (SQLException e) {
                // Another controller created the tables at the same moment: look again.
                if (attempt == 2) {
                    throw new TreelineException(ExitCode.SERVICE, "cannot create the scheduler tables in " + settings.displayUrl() + ": " + Redaction.text(e.getMessage()), e);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        for (String name : List.of(table, table.toLowerCase())) {
            try (ResultSet rs = md.getTables(null, c.getSchema(), name, null)) {
                if (rs.next()) return true;
            }
        }
        return false;
    }

    /** Quartz's DDL for this database, without its DROP statements (never drop a job store that exists). */
    private List<String> quartzDdl() {
        String file = settings.postgres() ? "tables_postgres.sql" : "tables_h2.sql";
        try (InputStream in = JobStoreTX.class.getResourceAsStream("/org/quartz/impl/jdbcjobstore/" + file)) {
            if (in == null) throw new IllegalStateException("Quartz's " + file + " is not on the class path");
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : sql.split("\n")) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("--") || t.startsWith("#")) continue;
                current.append(line).append('\n');
                if (t.endsWith(";")) {
                    String stmt = current.toString().strip();
                    stmt = stmt.substring(0, stmt.length() - 1);
                    String upper = stmt.toUpperCase();
                    if (!upper.startsWith("DROP") && !upper.equals("COMMIT")) out.add(stmt);
                    current.setLength(0);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(Connection c, List<String> statements) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (String sql : statements) s.execute(sql);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
