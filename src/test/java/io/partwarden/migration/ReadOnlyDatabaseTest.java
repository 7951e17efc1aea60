package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.ServiceProcess;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database that refuses writes (default_transaction_read_only on, as on a hot standby):
 * --once says so in one FAILED line naming the database and exits 1, before the migration,
 * instead of a ShedLock or Flyway stack trace. Each test makes only its own database read-only.
 */
class ReadOnlyDatabaseTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static String name(TestDatabase db) {
        return db.jdbc().queryForObject("SELECT current_database()", String.class);
    }

    /** Runs {@code --once} as its own process, as a CronJob would; returns its exit code and output. */
    static ServiceProcess once(TestDatabase db) throws Exception {
        return ServiceProcess.start(Map.of(), List.of("--once", "--spring.datasource.url=" + db.url(),
                "--spring.datasource.username=" + db.user(), "--spring.datasource.password=" + db.password()));
    }

    static void assertRefusedNaming(ServiceProcess once, String database) throws InterruptedException {
        assertThat(once.awaitExit(Duration.ofSeconds(120))).isEqualTo(1);
        assertThat(once.output())
                .contains("FAILED database " + database + " is read-only (default_transaction_read_only is on):"
                        + " Partwarden needs the primary")
                .doesNotContain("LockException", "FlywayException", "cannot execute INSERT in a read-only transaction")
                .doesNotContainPattern("\\n\\s+at [a-z]+\\.");
    }

    @Test
    void onceOnAMigratedDatabaseMadeReadOnlyExitsOneWithAFailedLineNamingIt() throws Exception {
        TestDatabase db = database.get();
        TestProperties.migrate(db);
        db.execute("ALTER DATABASE " + name(db) + " SET default_transaction_read_only = on");

        try (ServiceProcess once = once(db)) {
            assertRefusedNaming(once, name(db));
        }
    }

    @Test
    void onceOnAReadOnlyDatabaseNeverMigratedLeavesItUntouched() throws Exception {
        try (TestDatabase db = TestDatabase.create("readonly_fresh")) {
            db.execute("ALTER DATABASE " + name(db) + " SET default_transaction_read_only = on");

            try (ServiceProcess once = once(db)) {
                assertRefusedNaming(once, name(db));
            }
            assertThat(db.jdbc().queryForObject("SELECT to_regnamespace('partwarden') IS NULL", Boolean.class)).isTrue();
        }
    }
}
