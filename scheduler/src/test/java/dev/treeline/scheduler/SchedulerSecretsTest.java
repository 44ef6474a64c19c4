package dev.treeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.SpecException;
import dev.treeline.pipelines.spec.SpecNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A password in the scheduler's JDBC URL never reaches a message, whatever its spelling. */
class SchedulerSecretsTest {
    @TempDir Path tmp;

    ControllerSettings settings(String url) {
        SpecNode n = SpecNode.parse("jdbc_url: \"" + url + "\"", "schedules.yaml", Interpolator.none());
        return ControllerSettings.from(n, tmp, tmp, Map.of(ControllerSettings.PASSWORD_ENV, "pw-from-env")::get);
    }

    @Test
    void anUnreachableDatabaseIsNamedWithoutItsPassword() {
        ControllerSettings s = settings("jdbc:postgresql://127.0.0.1:1/treeline?user=u&Password=hunter2&ssl=false");
        TreelineException e = assertThrows(TreelineException.class, () -> new SchedulerDatabase(s).close());
        assertTrue(e.getMessage().startsWith("cannot connect to the scheduler database jdbc:postgresql://127.0.0.1:1/treeline?user=u&Password=***&ssl=false: "),
                e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertFalse(e.getMessage().contains("pw-from-env"), e.getMessage());
        assertFalse(s.toString().contains("hunter2") || s.toString().contains("pw-from-env"), s.toString());
    }

    @Test
    void aWrongUrlIsQuotedWithoutItsPassword() {
        SpecException e = assertThrows(SpecException.class, () -> settings("jdbc:mysql://db/x;password=hunter2"));
        assertTrue(e.getMessage().contains("'jdbc:mysql://db/x;password=***' is not a PostgreSQL or H2 JDBC URL"), e.getMessage());
    }
}
