package io.partwarden.security;

import static io.partwarden.testing.ArchiveFixture.JANUARY;
import static io.partwarden.testing.ArchiveFixture.QUALIFIED;
import static io.partwarden.testing.ArchiveFixture.ROWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.partwarden.archive.ArchiveException;
import io.partwarden.catalog.TableName;
import io.partwarden.failpoint.Failpoint;
import io.partwarden.maintenance.PassReport;
import io.partwarden.testing.ArchiveFixture;
import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.RunningDaemon;
import io.partwarden.testing.ServiceProcess;
import io.partwarden.testing.TestProperties;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Archive files hold every tenant's rows: they are the service user's alone (files 0600, folders
 * 0700), and nothing under the archive directory is written or read through a symbolic link,
 * which could lead anywhere the service may write or read.
 */
class ArchivePathSecurityTest {

    static final String FOLDER = "Audit%20Trail.Events";
    static final String JANUARY_STEM = "20240101T000000Z_20240201T000000Z";

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @TempDir
    static Path temp;

    /** A good archive of January and February, 300 rows each, copied by each restore test before it spoils it. */
    static Path goodArchive;

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void archiveBothMonths() {
        TestProperties.migrate(database.get());
        ArchiveFixture.create(database.get(), 300);
        goodArchive = temp.resolve("good");
        assertConverged(pass(directory(goodArchive)));
    }

    @Test
    void archiveFilesAreTheServiceUsersAloneAndTheOperatorsDirectoryIsLeftAsItIs() throws Exception {
        Path archive = directory(temp.resolve("modes"));
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rwxr-x---"));
        ArchiveFixture.create(database.get(), 50);

        assertConverged(pass(archive));

        assertThat(mode(archive.resolve(FOLDER))).as("the table's folder").isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(archive.resolve(FOLDER))) {
            assertThat(files.toList()).hasSize(4).allSatisfy(file -> assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------"));
        }
        assertThat(mode(archive)).as("the configured directory, the operator's").isEqualTo("rwxr-x---");
    }

    @Test
    void aLinkPlantedAtThePartialNameIsRemovedNotFollowedAndTheArchiveIsWhole() throws Exception {
        Path archive = directory(temp.resolve("planted-partial"));
        Path folder = Files.createDirectory(archive.resolve(FOLDER));
        Path victim = Files.writeString(temp.resolve("victim-of-partial"), "precious");
        Path manifestVictim = Files.writeString(temp.resolve("victim-of-manifest-partial"), "precious too");
        Path finalVictim = Files.writeString(temp.resolve("victim-of-data-name"), "precious as well");
        Files.createSymbolicLink(folder.resolve(JANUARY_STEM + ".copy.gz.partial"), victim);
        Files.createSymbolicLink(folder.resolve(JANUARY_STEM + ".manifest.json.partial"), manifestVictim);
        Files.createSymbolicLink(folder.resolve(JANUARY_STEM + ".copy.gz"), finalVictim); // the rename replaces the link itself
        String januaryRows = fixture();

        assertConverged(pass(archive));

        assertThat(Files.readString(victim)).isEqualTo("precious");
        assertThat(Files.readString(manifestVictim)).isEqualTo("precious too");
        assertThat(Files.readString(finalVictim)).isEqualTo("precious as well");
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.toList()).hasSize(4).allSatisfy(file -> assertThat(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .as(file + " is a file of its own").isTrue());
        }
        Engine.restoreOn(database.get()).restore(folder.resolve(JANUARY_STEM + ".manifest.json"),
                TableName.parse("Audit Trail.january_back"), Duration.ofSeconds(5));
        assertThat(jdbc().queryForObject(ROWS.formatted("\"Audit Trail\".january_back"), String.class)).isEqualTo(januaryRows);
    }

    @Test
    void aTableFolderThatIsALinkIsRefusedBeforeDetachingAndNothingIsWrittenThroughIt() throws Exception {
        Path archive = directory(temp.resolve("linked-folder"));
        Path elsewhere = directory(temp.resolve("elsewhere"));
        Files.createSymbolicLink(archive.resolve(FOLDER), elsewhere);
        fixture();

        assertRefusedBeforeDetaching(pass(archive), archive.resolve(FOLDER) + " is a symbolic link (to " + elsewhere
                + "): Partwarden reads and writes archives only as plain files in real directories, never through a link");

        try (Stream<Path> written = Files.list(elsewhere)) {
            assertThat(written.toList()).as("nothing written through the link").isEmpty();
        }
    }

    @Test
    void aFileAtTheTableFolderNameIsRefusedBeforeDetaching() throws Exception {
        Path archive = directory(temp.resolve("file-folder"));
        Files.writeString(archive.resolve(FOLDER), "not a folder");
        fixture();

        assertRefusedBeforeDetaching(pass(archive), archive.resolve(FOLDER) + " is not a directory");
    }

    @Test
    void restoreRefusesADataFileThatIsALinkAndCreatesNothing() throws Exception {
        Path copy = copyOfGoodArchive("linked-data");
        Path data = copy.resolve(FOLDER).resolve(JANUARY_STEM + ".copy.gz");
        Path outside = Files.move(data, directory(temp.resolve("outside-data")).resolve("january.copy.gz"));
        Files.createSymbolicLink(data, outside); // the same bytes: only the link is wrong

        assertRestoreRefused(copy.resolve(FOLDER).resolve(JANUARY_STEM + ".manifest.json"),
                "archive " + data + " is a symbolic link (to " + outside + "), refused");
    }

    @Test
    void restoreRefusesAManifestThatIsALinkAndCreatesNothing() throws Exception {
        Path copy = copyOfGoodArchive("linked-manifest");
        Path manifest = copy.resolve(FOLDER).resolve(JANUARY_STEM + ".manifest.json");
        Path outside = Files.move(manifest, directory(temp.resolve("outside-manifest")).resolve("january.manifest.json"));
        Files.createSymbolicLink(manifest, outside);

        assertRestoreRefused(manifest, "manifest " + manifest + " is a symbolic link (to " + outside + "), refused");
    }

    @Test
    void anArchiveReplacedByALinkBeforeItsReadBackFailsVerificationAndIsWrittenAgain() throws Exception {
        Path archive = directory(temp.resolve("linked-before-verification"));
        String januaryRows = fixture();
        killAt("archive.recorded", archive);
        Path data = archive.resolve(FOLDER).resolve(JANUARY_STEM + ".copy.gz");
        Path outside = Files.copy(data, directory(temp.resolve("outside-before-verification")).resolve("january.copy.gz"));
        Files.delete(data);
        Files.createSymbolicLink(data, outside); // the very bytes that were written: only the link is wrong
        byte[] outsideBytes = Files.readAllBytes(outside);

        PassReport linked = pass(archive);

        assertThat(linked.converged()).isFalse();
        assertThat(linked.failures().get(0).error()).contains("the archive of Audit Trail.Events_y2024m01 failed verification")
                .contains("archive " + data + " is a symbolic link");
        assertThat(januaryState()).isEqualTo("detached");
        assertThat(jdbc().queryForObject(ROWS.formatted(JANUARY), String.class)).as("the table kept whole").isEqualTo(januaryRows);

        assertConverged(pass(archive));
        assertThat(Files.isRegularFile(data, LinkOption.NOFOLLOW_LINKS)).as("written again as a file of its own").isTrue();
        assertThat(Files.readAllBytes(outside)).isEqualTo(outsideBytes);
    }

    @Test
    void aVerifiedArchiveReplacedByALinkIsNotDroppedOnButWrittenAgain() throws Exception {
        Path archive = directory(temp.resolve("linked-after-verification"));
        String januaryRows = fixture();
        killAt("archive.verified", archive);
        Path data = archive.resolve(FOLDER).resolve(JANUARY_STEM + ".copy.gz");
        Path outside = Files.copy(data, directory(temp.resolve("outside-after-verification")).resolve("january.copy.gz"));
        Files.delete(data);
        Files.createSymbolicLink(data, outside);

        PassReport linked = pass(archive);

        assertThat(linked.converged()).isFalse();
        assertThat(linked.failures().get(0).error()).contains("the verified archive of Audit Trail.Events_y2024m01 is gone or changed")
                .contains("archive " + data + " is a symbolic link");
        assertThat(januaryState()).isEqualTo("detached");
        assertThat(jdbc().queryForObject(ROWS.formatted(JANUARY), String.class)).isEqualTo(januaryRows);

        assertConverged(pass(archive));
        assertThat(Files.isRegularFile(data, LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    private static PassReport pass(Path archive) {
        return Engine.on(database.get(), ArchiveFixture.archivingTo(archive.toString())).runner().runIfLockFree().orElseThrow();
    }

    private static void assertConverged(PassReport report) {
        assertThat(report.converged()).as(report.failures().toString()).isTrue();
    }

    /** The fixture afresh, 300 rows a month; January's rows. */
    private static String fixture() {
        ArchiveFixture.create(database.get(), 300);
        return jdbc().queryForObject(ROWS.formatted(JANUARY), String.class);
    }

    private static void assertRefusedBeforeDetaching(PassReport report, String message) {
        assertThat(report.converged()).isFalse();
        assertThat(report.failures()).hasSize(2).allSatisfy(f -> assertThat(f.error()).startsWith("cannot archive")
                .contains(message));
        assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions(?::regclass) WHERE lower_bound < '2024-03-01Z'",
                Long.class, QUALIFIED)).as("both months still attached").isEqualTo(2L);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.retirement WHERE parent_schema = 'Audit Trail'",
                Long.class)).as("no retirement began").isZero();
    }

    private static void assertRestoreRefused(Path manifest, String message) {
        String tablesBefore = tables();
        Throwable into = catchThrowable(() -> Engine.restoreOn(database.get()).restore(manifest,
                TableName.parse("Audit Trail.restored"), Duration.ofSeconds(5)));
        assertThat(into).isInstanceOf(ArchiveException.class).hasMessageContaining(message);
        assertThat(tables()).as("nothing was created").isEqualTo(tablesBefore);
        Throwable asPartition = catchThrowable(() -> Engine.restoreOn(database.get()).restore(manifest, null, Duration.ofSeconds(5)));
        assertThat(asPartition).isInstanceOf(ArchiveException.class).hasMessageContaining(message);
        assertThat(tables()).isEqualTo(tablesBefore);
    }

    private static String tables() {
        return jdbc().queryForObject("SELECT coalesce(string_agg(relname, ',' ORDER BY relname), '') FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'Audit Trail' AND relkind IN ('r', 'p')",
                String.class);
    }

    private static Path copyOfGoodArchive(String name) throws Exception {
        Path copy = temp.resolve(name);
        Path folder = Files.createDirectories(copy.resolve(FOLDER));
        try (Stream<Path> files = Files.list(goodArchive.resolve(FOLDER))) {
            for (Path file : files.toList()) {
                Files.copy(file, folder.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    private static Path directory(Path path) {
        try {
            return Files.createDirectories(path);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String mode(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String januaryState() {
        return jdbc().queryForObject("SELECT string_agg(state, ',') FROM partwarden.retirement WHERE partition_name = 'Events_y2024m01'"
                + " AND parent_schema = 'Audit Trail'", String.class);
    }

    /** The service as its own process, killed with {@code kill -9} at {@code step} of the retirement. */
    private static void killAt(String step, Path archive) throws Exception {
        List<String> args = new ArrayList<>(List.of("--once", "--spring.datasource.url=" + database.get().url(),
                "--spring.datasource.username=" + database.get().user(), "--spring.datasource.password=" + database.get().password(),
                "--partwarden.lock.at-most-for=1s"));
        ArchiveFixture.archivingTo(archive.toString()).forEach((key, value) -> args.add("--partwarden." + key + "=" + value));
        try (ServiceProcess service = ServiceProcess.start(Map.of("PARTWARDEN_FAILPOINT", step), args)) {
            service.awaitOutput(Failpoint.REACHED + step, Duration.ofSeconds(90));
            service.kill9();
        }
        RunningDaemon.await("the killed process's lock lapses", Duration.ofSeconds(10), () -> jdbc()
                .queryForObject("SELECT count(*) FROM partwarden.shedlock WHERE lock_until > timezone('utc', now())", Long.class) == 0);
    }
}
