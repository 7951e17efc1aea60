package io.partwarden.archive;

import static io.partwarden.testing.ArchiveFixture.JANUARY;
import static io.partwarden.testing.ArchiveFixture.QUALIFIED;
import static io.partwarden.testing.ArchiveFixture.ROWS;
import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.TableName;
import io.partwarden.failpoint.Failpoint;
import io.partwarden.maintenance.PassReport;
import io.partwarden.testing.ArchiveFixture;
import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.ServiceProcess;
import io.partwarden.testing.TestProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The service killed with {@code kill -9} at each step of an archiving retirement, then run
 * again: the retirement converges, with one archive per range, no partial file, every row in the
 * archive, and no table dropped before its archive was verified.
 */
class CrashSafetyTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @TempDir
    static Path archives;

    static String februaryRows;

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void migrate() {
        TestProperties.migrate(database.get());
    }

    @ParameterizedTest(name = "killed at {0}")
    @ValueSource(strings = {"retire.begun", "retire.detached", "archive.partial", "archive.written", "archive.recorded",
            "archive.verified"})
    void aRetirementKilledAtAnyStepConvergesOnTheNextPassWithOneVerifiedArchivePerRange(String step) throws Exception {
        Path archive = Files.createDirectories(archives.resolve(step));
        String januaryRows = fixture(300);

        killAt(step, archive);

        assertThat(januaryState()).isEqualTo(switch (step) {
            case "retire.begun" -> "detaching";
            case "retire.detached", "archive.partial", "archive.written" -> "detached";
            case "archive.recorded" -> "archived";
            default -> "verified";
        });
        assertThat(tableExists(JANUARY)).as("nothing is dropped before the drop step").isTrue();
        assertThat(Engine.statsOn(database.get()).read("Audit Trail.Events").retirementsUnderWay())
                .as("partwarden_retirements_under_way").isEqualTo(1);
        assertThat(isAttached()).isEqualTo(step.equals("retire.begun"));
        assertThat(files(archive)).as("files when killed at " + step).isEqualTo(switch (step) {
            case "retire.begun", "retire.detached" -> List.of();
            case "archive.partial" -> List.of("20240101T000000Z_20240201T000000Z.copy.gz.partial");
            default -> List.of("20240101T000000Z_20240201T000000Z.copy.gz", "20240101T000000Z_20240201T000000Z.manifest.json");
        });

        assertNextPassConverges(archive, januaryRows);
    }

    @Test
    void anArchiveCorruptedBeforeItsVerificationKeepsTheTableAndIsWrittenAgain() throws Exception {
        Path archive = Files.createDirectories(archives.resolve("corrupted"));
        String januaryRows = fixture(300);
        killAt("archive.recorded", archive);
        Path data = archive.resolve("Audit%20Trail.Events/20240101T000000Z_20240201T000000Z.copy.gz");
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(data, bytes);

        PassReport corrupt = pass(archive);

        assertThat(corrupt.converged()).isFalse();
        assertThat(corrupt.failures().get(0).error()).contains("the archive of Audit Trail.Events_y2024m01 failed verification")
                .contains("the table is kept");
        assertThat(jdbc().queryForObject(ROWS.formatted(JANUARY), String.class)).isEqualTo(januaryRows);
        assertThat(januaryState()).isEqualTo("detached");

        assertNextPassConverges(archive, januaryRows);
    }

    @Test
    void aRetirementKilledWhileItsDetachWaitsForAReaderIsFinalizedByTheNextPass() throws Exception {
        Path archive = Files.createDirectories(archives.resolve("pending"));
        String januaryRows = fixture(300);
        // the server is shared: a session of another database whose query looks like a concurrent detach is not ours to end
        try (Bystander bystander = Bystander.running("SELECT pg_sleep(600) /* ALTER TABLE t DETACH PARTITION p CONCURRENTLY */");
             Connection reader = database.get().connect(); Statement s = reader.createStatement();
             ServiceProcess service = ServiceProcess.start(Map.of(), args(archive))) {
            reader.setAutoCommit(false);
            s.execute("SELECT count(*) FROM " + QUALIFIED);
            io.partwarden.testing.RunningDaemon.await("the detach waits for the reader", Duration.ofSeconds(60), () -> jdbc()
                    .queryForObject("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%DETACH PARTITION%CONCURRENTLY%'"
                            + " AND wait_event_type = 'Lock' AND datname = current_database()", Long.class) == 1);
            service.kill9();
            // the server notices a dead client only when it next writes to it: end its backend as it eventually would
            jdbc().queryForObject("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE query LIKE '%DETACH PARTITION%CONCURRENTLY%' AND pid <> pg_backend_pid()"
                    + " AND datname = current_database()", Long.class);
            reader.rollback();
            assertThat(bystander.alive()).as("the other database's session").isTrue();
        }
        assertThat(jdbc().queryForObject("SELECT detach_pending FROM partwarden.partitions(?::regclass) WHERE partition_name = 'Events_y2024m01'",
                Boolean.class, QUALIFIED)).as("the first phase committed, the second did not").isTrue();
        awaitLockExpiry();

        assertNextPassConverges(archive, januaryRows);
    }

    @Test
    void aRetirementInterruptedWhileArchivingEndsRecordedAsDroppedWhenOnRetireIsChangedToDrop() throws Exception {
        Path archive = Files.createDirectories(archives.resolve("changed"));
        fixture(100);
        killAt("archive.recorded", archive);
        java.util.Map<String, String> dropping = new java.util.HashMap<>(ArchiveFixture.archivingTo(archive.toString()));
        dropping.put("tables[0].on-retire", "drop");

        PassReport again = Engine.on(database.get(), dropping).runner().runIfLockFree().orElseThrow();

        assertThat(again.converged()).as(again.failures().toString()).isTrue();
        assertThat(tableExists(JANUARY)).isFalse();
        assertThat(jdbc().queryForList("SELECT partition_name || ' ' || state FROM partwarden.retirement"
                + " WHERE parent_schema = 'Audit Trail' ORDER BY lower_bound", String.class))
                .containsExactly("Events_y2024m01 dropped", "Events_y2024m02 dropped");
    }

    @Test
    void aDetachedTableRefusesNewRowsWhileArchivedAndADeleteSendsItBackToBeArchivedAgain() throws Exception {
        Path archive = Files.createDirectories(archives.resolve("deleted"));
        fixture(300);
        killAt("archive.verified", archive);

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jdbc().update(
                "INSERT INTO " + JANUARY + " (\"Id\", \"At\") VALUES (99999, '2024-01-05Z')")))
                .hasMessageContaining("partwarden_archiving");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jdbc().update(
                "UPDATE " + JANUARY + " SET note = 'changed' WHERE \"Id\" = 2"))).hasMessageContaining("partwarden_archiving");
        jdbc().update("DELETE FROM " + JANUARY + " WHERE \"Id\" = 1");
        String januaryRows = jdbc().queryForObject(ROWS.formatted(JANUARY), String.class);

        PassReport refused = pass(archive);

        assertThat(refused.converged()).isFalse();
        assertThat(refused.failures().get(0).error()).contains("holds 299 rows, its archive 300: rows were deleted since it was"
                + " archived; it is not dropped");
        assertThat(januaryState()).isEqualTo("detached");
        assertThat(jdbc().queryForObject(ROWS.formatted(JANUARY), String.class)).isEqualTo(januaryRows);

        assertNextPassConverges(archive, januaryRows);
    }

    @Test
    void archiveFilesGoneAfterTheirVerificationAreWrittenAgainBeforeTheDrop() throws Exception {
        Path archive = Files.createDirectories(archives.resolve("vanished"));
        String januaryRows = fixture(300);
        killAt("archive.verified", archive);
        try (Stream<Path> files = Files.list(archive.resolve("Audit%20Trail.Events"))) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }

        PassReport gone = pass(archive);

        assertThat(gone.converged()).isFalse();
        assertThat(gone.failures().get(0).error()).contains("the verified archive of Audit Trail.Events_y2024m01 is gone or changed");
        assertThat(tableExists(JANUARY)).isTrue();
        assertThat(januaryState()).isEqualTo("detached");
        assertNextPassConverges(archive, januaryRows);
    }

    /** A pass of the service, restarted: what runs after the killed one. */
    private static PassReport pass(Path archive) {
        return Engine.on(database.get(), ArchiveFixture.archivingTo(archive.toString())).runner().runIfLockFree().orElseThrow();
    }

    /** The fixture with {@code rows} a month: January's rows, and February's remembered for every convergence. */
    private static String fixture(int rows) {
        ArchiveFixture.create(database.get(), rows);
        februaryRows = jdbc().queryForObject(ROWS.formatted(ArchiveFixture.FEBRUARY), String.class);
        return jdbc().queryForObject(ROWS.formatted(JANUARY), String.class);
    }

    private void killAt(String step, Path archive) throws Exception {
        try (ServiceProcess service = ServiceProcess.start(Map.of("PARTWARDEN_FAILPOINT", step), args(archive))) {
            service.awaitOutput(Failpoint.REACHED + step, Duration.ofSeconds(90));
            service.kill9();
        }
        awaitLockExpiry();
    }

    private static List<String> args(Path archive) {
        List<String> args = new ArrayList<>(List.of("--once", "--spring.datasource.url=" + database.get().url(),
                "--spring.datasource.username=" + database.get().user(), "--spring.datasource.password=" + database.get().password(),
                "--partwarden.lock.at-most-for=1s", "--partwarden.tables[0].detach-timeout=10m"));
        ArchiveFixture.archivingTo(archive.toString()).forEach((key, value) -> args.add("--partwarden." + key + "=" + value));
        return args;
    }

    /** A killed process cannot release its ShedLock lock: it lapses after lock.at-most-for. */
    private static void awaitLockExpiry() throws InterruptedException {
        io.partwarden.testing.RunningDaemon.await("the killed process's lock lapses", Duration.ofSeconds(10), () -> jdbc()
                .queryForObject("SELECT count(*) FROM partwarden.shedlock WHERE lock_until > timezone('utc', now())", Long.class) == 0);
    }

    /** The next pass finishes the retirements: files, states and every row as {@link #assertConverged} says. */
    private static void assertNextPassConverges(Path archive, String januaryRows) throws IOException {
        PassReport next = pass(archive);
        assertThat(next.converged()).as(next.failures().toString()).isTrue();
        assertConverged(archive, januaryRows);
    }

    private static void assertConverged(Path archive, String januaryRows) throws IOException {
        assertThat(Engine.statsOn(database.get()).read("Audit Trail.Events").retirementsUnderWay()).isZero();
        assertThat(tableExists(JANUARY)).isFalse();
        assertThat(tableExists(ArchiveFixture.FEBRUARY)).isFalse();
        assertThat(files(archive)).containsExactly(
                "20240101T000000Z_20240201T000000Z.copy.gz", "20240101T000000Z_20240201T000000Z.manifest.json",
                "20240201T000000Z_20240301T000000Z.copy.gz", "20240201T000000Z_20240301T000000Z.manifest.json");
        assertThat(jdbc().queryForList("SELECT partition_name || ' ' || state FROM partwarden.retirement"
                + " WHERE parent_schema = 'Audit Trail' ORDER BY lower_bound", String.class))
                .as("one retirement per partition").containsExactly("Events_y2024m01 dropped", "Events_y2024m02 dropped");
        Path manifest = archive.resolve("Audit%20Trail.Events/20240101T000000Z_20240201T000000Z.manifest.json");
        Engine.restoreOn(database.get()).restore(manifest, TableName.parse("Audit Trail.january_back"), Duration.ofSeconds(5));
        assertThat(jdbc().queryForObject(ROWS.formatted("\"Audit Trail\".january_back"), String.class))
                .as("every row, every value").isEqualTo(januaryRows);
        Engine.restoreOn(database.get()).restore(archive.resolve(
                "Audit%20Trail.Events/20240201T000000Z_20240301T000000Z.manifest.json"), null, Duration.ofSeconds(5));
        assertThat(jdbc().queryForObject(ROWS.formatted(ArchiveFixture.FEBRUARY), String.class)).isEqualTo(februaryRows);
    }

    private static String januaryState() {
        return jdbc().queryForObject("SELECT string_agg(state, ',') FROM partwarden.retirement WHERE partition_name = 'Events_y2024m01'"
                + " AND parent_schema = 'Audit Trail'", String.class);
    }

    private static boolean tableExists(String table) {
        return jdbc().queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, table);
    }

    private static boolean isAttached() {
        return jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions(?::regclass) WHERE partition_name = 'Events_y2024m01'",
                Long.class, QUALIFIED) == 1;
    }

    private static List<String> files(Path archive) throws IOException {
        Path folder = archive.resolve("Audit%20Trail.Events");
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A session of another database on the same server, running one statement until closed. */
    static final class Bystander implements AutoCloseable {

        private final io.partwarden.testing.TestDatabase other = io.partwarden.testing.TestDatabase.create("CrashSafetyBystander");
        private final Connection connection;
        private final Statement statement;
        private final Thread running;
        private final int pid;

        private Bystander(String sql) throws Exception {
            connection = other.connect();
            statement = connection.createStatement();
            try (var rs = statement.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            running = new Thread(() -> {
                try {
                    statement.execute(sql);
                } catch (java.sql.SQLException cancelledOrEnded) {
                    // cancelled by close(), or ended by someone else: alive() tells
                }
            }, "bystander");
            running.start();
            io.partwarden.testing.RunningDaemon.await("the bystander's statement runs", Duration.ofSeconds(10),
                    () -> other.jdbc().queryForObject("SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND state = 'active'",
                            Long.class, pid) == 1);
        }

        static Bystander running(String sql) throws Exception {
            return new Bystander(sql);
        }

        boolean alive() {
            return other.jdbc().queryForObject("SELECT count(*) FROM pg_stat_activity WHERE pid = ?", Long.class, pid) == 1;
        }

        @Override
        public void close() throws Exception {
            try {
                statement.cancel();
                running.join(10_000);
                connection.close();
            } finally {
                other.close();
            }
        }
    }
}
