package dev.treeline.scheduler;

import dev.treeline.pipelines.testing.PostgresFixture;
import java.util.UUID;

/**
 * Every {@link ControllerTest} again with the job store and runs table on a real PostgreSQL server on
 * loopback (clustered mode, as production runs it), each test in a schema of its own.
 */
class ControllerPostgresTest extends ControllerTest {
    private String schema;

    @Override
    String database() {
        PostgresFixture pg = PostgresFixture.get();
        if (schema == null) {
            schema = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            pg.execute("CREATE SCHEMA " + schema);
        }
        return "  jdbc_url: " + pg.url() + "?currentSchema=" + schema + "\n  user: " + PostgresFixture.USER + "\n  password_file: " + pg.passwordFile()
                + "\n  clustered: true\n  checkin_interval_millis: 1000\n";
    }
}
