package dev.treeline.pipelines.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server on a free loopback port, one per test JVM, from the Debian package that
 * ./scripts/test installs when missing. Its data lives under target/; it stops at JVM exit. As root,
 * the server runs as the postgres user (PostgreSQL refuses root).
 */
public final class PostgresFixture {
    public static final String USER = "treeline";
    public static final String PASSWORD = "treeline-test-pw";
    public static final String DATABASE = "treeline";
    private static PostgresFixture instance;

    private final Path dir;
    private final int port;
    private final String bin;
    private final boolean asPostgres;

    private PostgresFixture() throws IOException, InterruptedException {
        bin = findBin();
        asPostgres = "root".equals(System.getProperty("user.name"));
        Path base = Path.of("target").toAbsolutePath();
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "postgres-");
        port = freePort();
        if (asPostgres) run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        run(List.of(bin + "/initdb", "-D", dir.resolve("data").toString(), "-U", "postgres", "-E", "UTF8", "--locale=C",
                "--auth-local=trust", "--auth-host=scram-sha-256"), true);
        run(List.of(bin + "/pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"), true);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
        psql("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
        psql("CREATE DATABASE " + DATABASE + " OWNER " + USER);
    }

    public static synchronized PostgresFixture get() {
        if (instance == null) {
            try {
                instance = new PostgresFixture();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, PASSWORD);
    }

    /** A file holding the password, for specs' password_file. */
    public Path passwordFile() {
        try {
            Path f = dir.resolve("password");
            if (!Files.exists(f)) Files.writeString(f, PASSWORD + "\n");
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void execute(String... sql) {
        try (Connection c = connect(); var s = c.createStatement()) {
            for (String q : sql) s.execute(q);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void psql(String sql) throws IOException, InterruptedException {
        run(List.of(bin + "/psql", "-h", dir.toString(), "-p", Integer.toString(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql), true);
    }

    private void stop() {
        try {
            run(List.of(bin + "/pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"), true);
        } catch (Exception ignored) {
            // the JVM is exiting
        }
    }

    private void run(List<String> command, boolean postgresUser) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (postgresUser && asPostgres) cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(command);
        Path log = Files.createTempFile("pg-cmd", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).directory(new File("/tmp")).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    static String findBin() throws IOException {
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (var versions = Files.list(lib)) {
                var bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))).sorted().reduce((a, b) -> b);
                if (bin.isPresent()) return bin.get().toString();
            }
        }
        throw new IllegalStateException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); ./scripts/test installs it "
                + "with apt-get install postgresql");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
