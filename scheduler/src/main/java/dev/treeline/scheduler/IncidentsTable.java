package dev.treeline.scheduler;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Incidents in the controller's database, shared by every controller of a cluster: an alert notifies only
 * when its incident opens (the insert, or the update from resolved, that succeeds) and when it resolves (the
 * update from firing that succeeds), so each is sent once however many controllers see it. Streaks count
 * consecutive events (failed gates) per key.
 */
final class IncidentsTable {
    static final List<String> DDL = List.of(
            "CREATE TABLE treeline_incidents (incident_key VARCHAR(300) PRIMARY KEY, kind VARCHAR(40) NOT NULL, severity VARCHAR(16) NOT NULL, "
                    + "state VARCHAR(16) NOT NULL, summary VARCHAR(4000), opened_at TIMESTAMP NOT NULL, resolved_at TIMESTAMP)",
            "CREATE TABLE treeline_alert_streaks (streak_key VARCHAR(300) PRIMARY KEY, streak INT NOT NULL)");
    static final String FIRING = "firing";
    static final String RESOLVED = "resolved";

    private final RunsTable db;

    IncidentsTable(RunsTable db) {
        this.db = db;
    }

    /** Opens the incident; true when this call opened it (it was not firing). */
    boolean open(String key, String kind, String severity, String summary) {
        return db.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE treeline_incidents SET state = ?, kind = ?, severity = ?, summary = ?, "
                    + "opened_at = CURRENT_TIMESTAMP, resolved_at = NULL WHERE incident_key = ? AND state = ?")) {
                p.setString(1, FIRING);
                p.setString(2, kind);
                p.setString(3, severity);
                p.setString(4, truncate(summary));
                p.setString(5, key);
                p.setString(6, RESOLVED);
                if (p.executeUpdate() == 1) return true;
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO treeline_incidents (incident_key, kind, severity, state, summary, opened_at) "
                    + "VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
                p.setString(1, key);
                p.setString(2, kind);
                p.setString(3, severity);
                p.setString(4, FIRING);
                p.setString(5, truncate(summary));
                p.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (RunsTable.isDuplicate(e)) return false; // firing already (or another controller opened it just now)
                throw e;
            }
        });
    }

    /** Resolves the incident; true when this call resolved it (it was firing). */
    boolean resolve(String key) {
        return db.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE treeline_incidents SET state = ?, resolved_at = CURRENT_TIMESTAMP "
                    + "WHERE incident_key = ? AND state = ?")) {
                p.setString(1, RESOLVED);
                p.setString(2, key);
                p.setString(3, FIRING);
                return p.executeUpdate() == 1;
            }
        });
    }

    /** Adds one to the streak and returns it. */
    int bump(String key) {
        return db.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE treeline_alert_streaks SET streak = streak + 1 WHERE streak_key = ?")) {
                p.setString(1, key);
                if (p.executeUpdate() == 0) {
                    try (PreparedStatement i = c.prepareStatement("INSERT INTO treeline_alert_streaks (streak_key, streak) VALUES (?, 1)")) {
                        i.setString(1, key);
                        i.executeUpdate();
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("SELECT streak FROM treeline_alert_streaks WHERE streak_key = ?")) {
                p.setString(1, key);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        });
    }

    void reset(String key) {
        db.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM treeline_alert_streaks WHERE streak_key = ?")) {
                p.setString(1, key);
                return p.executeUpdate();
            }
        });
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 4000 ? s : s.substring(0, 3997) + "...";
    }
}
