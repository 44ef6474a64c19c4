package dev.treeline.scheduler;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;

/**
 * The embedded H2 database's password. H2's AUTO_SERVER (which lets the CLI read the runs table while a
 * controller holds the file) opens a TCP port; with user {@code sa} and no password anyone who reaches it
 * could read and change the runs. So each workspace gets a random password in an owner-only file, and a
 * database made before that (empty password) is given it the first time it is opened.
 */
final class H2Password {
    private static final String ERROR_WRONG_PASSWORD = "28000";

    private H2Password() {}

    /** The workspace's password, created on first use. */
    static String of(Path workspace) {
        Path file = Workspace.at(workspace.toAbsolutePath()).schedulerPasswordFile();
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random), StandardCharsets.UTF_8);
                } catch (FileAlreadyExistsException another) {
                    // another process made it first: use theirs
                }
            }
            for (int attempt = 0; attempt < 20; attempt++) {
                String p = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!p.isEmpty()) return p;
                Thread.sleep(50); // created a moment ago by another process that is writing it
            }
            throw new IOException("it is empty; delete it and try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TreelineException(ExitCode.INTERRUPTED, "interrupted while reading " + file, e);
        } catch (IOException e) {
            throw new TreelineException(ExitCode.FAILURE, "cannot read or create the scheduler database password " + file + ": " + e.getMessage(), e);
        }
    }

    /** Gives an H2 database made with an empty password this password (once); nothing when it has it already. */
    static void adopt(String url, String user, String password) {
        if (password.isEmpty()) return;
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return;
        } catch (SQLException e) {
            if (!ERROR_WRONG_PASSWORD.equals(e.getSQLState())) return; // not ours to handle: the pool reports it
        }
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            // The password is base64url: letters, digits, '-' and '_', safe inside the literal.
            s.execute("ALTER USER \"" + user.toUpperCase() + "\" SET PASSWORD '" + password + "'");
        } catch (SQLException e) {
            // Neither password works: the pool's error names the database and the fix.
        }
    }
}
