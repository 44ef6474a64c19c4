package dev.treeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Only a unique violation means "already queued"; other integrity errors are failures to report. */
class RunsTableDuplicateTest {
    @Test
    void onlyAUniqueViolationIsADuplicate() {
        assertTrue(RunsTable.isDuplicate(new SQLException("duplicate key value violates unique constraint", "23505")));
        assertFalse(RunsTable.isDuplicate(new SQLException("null value in column \"schedule_name\" violates not-null constraint", "23502")));
        assertFalse(RunsTable.isDuplicate(new SQLException("insert or update violates foreign key constraint", "23503")));
        assertFalse(RunsTable.isDuplicate(new SQLException("check constraint", "23514")));
        assertFalse(RunsTable.isDuplicate(new SQLException("no state")));
    }
}
