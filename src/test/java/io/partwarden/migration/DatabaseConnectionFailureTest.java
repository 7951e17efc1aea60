package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.ServiceProcess;
import io.partwarden.testing.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A database that cannot be reached is reported once, naming host, port, database, user and the
 * server's (or the network's) own reason, with no word of a migration, which never began: by the
 * commands that migrate nothing (--verify, --dry-run) and by --once, which waits for it up to
 * partwarden.startup.database-wait and then exits 3.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseConnectionFailureTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String DEFAULT_TABLE = "--partwarden.tables[0].name=workflow_events";

    /** A port on this host that nothing listens on: taken from the system, then released. */
    static int refusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static int occurrences(String text, String part) {
        Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    static void assertReportedOnceWithoutAMigration(String output, String failure) {
        assertThat(output).contains("FAILED " + failure).contains("Nothing was done in the database.")
                .doesNotContain("migration failed", "rolled back", "Each migration runs in a single transaction");
        assertThat(occurrences(output, failure)).as("the failure is printed once:\n" + output).isEqualTo(1);
        assertThat(output).doesNotContainPattern("\\n\\s+at [a-z]+\\.");
    }

    @Test
    void aRefusedPortIsReportedOnceNamingHostPortDatabaseAndUserAndNoMigration(CapturedOutput output) throws IOException {
        int port = refusedPort();
        TestDatabase db = database.get();

        assertThatThrownBy(() -> Commands.runOn("jdbc:postgresql://127.0.0.1:" + port + "/meshhook", db.user(), db.password(),
                "--verify", DEFAULT_TABLE));

        assertReportedOnceWithoutAMigration(output.getAll(), "cannot connect to database meshhook on 127.0.0.1:" + port
                + " as user " + db.user() + ": Connection to 127.0.0.1:" + port + " refused");
    }

    @Test
    void aDatabaseThatDoesNotExistIsReportedWithTheServersReason(CapturedOutput output) {
        TestDatabase db = database.get();
        String url = db.url().substring(0, db.url().lastIndexOf('/') + 1) + "pw_no_such_database";

        assertThatThrownBy(() -> Commands.runOn(url, db.user(), db.password(), "--dry-run", DEFAULT_TABLE));

        assertReportedOnceWithoutAMigration(output.getAll(), "cannot connect to database pw_no_such_database on ");
        assertThat(output.getAll()).contains("as user " + db.user() + ": FATAL: database \"pw_no_such_database\" does not exist");
    }

    /**
     * The test server trusts local connections, so no password is asked and a wrong one cannot be
     * tried; a role that does not exist is refused by the server all the same, before any password.
     */
    @Test
    void aRoleThatDoesNotExistIsReportedWithTheServersReason(CapturedOutput output) {
        TestDatabase db = database.get();

        assertThatThrownBy(() -> Commands.runAs(db, "pw_no_such_role", "", "--once", DEFAULT_TABLE,
                "--partwarden.startup.database-wait=0s"));

        String name = db.jdbc().queryForObject("SELECT current_database()", String.class);
        assertReportedOnceWithoutAMigration(output.getAll(), "cannot connect to database " + name + " on "
                + db.serverAddress().getHostString() + ":" + db.serverAddress().getPort() + " as user pw_no_such_role: FATAL: ");
        assertThat(output.getAll()).contains("\"pw_no_such_role\"");
    }

    @Test
    void aHostThatDoesNotResolveIsNamed(CapturedOutput output) {
        TestDatabase db = database.get();

        assertThatThrownBy(() -> Commands.runOn("jdbc:postgresql://no-such-host.invalid:5432/meshhook", db.user(), db.password(),
                "--verify", DEFAULT_TABLE));

        assertReportedOnceWithoutAMigration(output.getAll(), "cannot connect to database meshhook on no-such-host.invalid:5432 as user "
                + db.user() + ": the host name does not resolve (unknown host no-such-host.invalid)");
    }

    @Test
    void onceRetriesUpToTheDatabaseWaitThenExitsThreeNamingTheCause() throws Exception {
        int port = refusedPort();
        try (ServiceProcess once = ServiceProcess.start(Map.of(), List.of("--once", DEFAULT_TABLE,
                "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + port + "/meshhook", "--spring.datasource.username=postgres",
                "--partwarden.startup.database-wait=3s"))) {

            assertThat(once.awaitExit(Duration.ofSeconds(120))).isEqualTo(3);
            String output = once.output();
            assertThat(output).contains("retrying in 1s (attempt 1; waiting up to 3s, partwarden.startup.database-wait)")
                    .contains("(attempt 2; waiting up to 3s");
            assertReportedOnceWithoutAMigration(output.substring(output.indexOf("APPLICATION FAILED TO START")),
                    "cannot connect to database meshhook on 127.0.0.1:" + port + " as user postgres (tried for 3 s,"
                            + " partwarden.startup.database-wait): Connection to 127.0.0.1:" + port + " refused");
        }
    }
}
