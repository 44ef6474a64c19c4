package dev.treeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded scheduler database is not open to whoever reaches H2's auto-server port: it has a password only the workspace's owner can read. */
class H2PasswordTest {
    @TempDir Path tmp;

    @Test
    void aNewDatabaseRefusesSaWithoutThePasswordAndTheOwnerOnlyFileHoldsIt() throws Exception {
        ControllerSettings s = ControllerSettings.defaults(tmp);
        try (SchedulerDatabase db = new SchedulerDatabase(s)) {
            new RunsTable(db).enqueue("s", LocalDate.of(2001, 1, 1), "manual", false, null, null);
        }
        Path file = tmp.resolve("scheduler/h2.password");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(s.password(), Files.readString(file).strip());
        assertTrue(s.password().length() >= 32, "random, not guessable");
        SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(s.jdbcUrl(), "sa", "").close());
        assertEquals("28000", refused.getSQLState(), refused.getMessage());
    }

    @Test
    void aDatabaseMadeWithAnEmptyPasswordIsGivenTheWorkspacesOnTheFirstOpen() throws Exception {
        String url = ControllerSettings.h2Url(tmp);
        // As an earlier Treeline left it: user sa, no password, a run queued.
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE before_upgrade (x INT)");
        }
        try (SchedulerDatabase db = new SchedulerDatabase(ControllerSettings.defaults(tmp)); Connection c = db.connection(); Statement st = c.createStatement()) {
            assertTrue(st.executeQuery("SELECT COUNT(*) FROM before_upgrade").next(), "the same database, kept");
        }
        assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "sa", "").close());
    }
}
