package io.partwarden.archive;

import static io.partwarden.testing.ArchiveFixture.ROWS;
import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.ArchiveFixture;
import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Archives through the command line: {@code --dry-run}, {@code --once} and {@code --restore}, with their exit codes. */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@VersionSensitive
class ArchiveCommandsTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @TempDir
    static Path archive;

    static String januaryRows;

    @BeforeAll
    static void fixture() {
        TestProperties.migrate(database.get());
        ArchiveFixture.create(database.get(), 200);
        januaryRows = database.get().jdbc().queryForObject(ROWS.formatted(ArchiveFixture.JANUARY), String.class);
    }

    static String[] archiving(String... mode) {
        List<String> args = new ArrayList<>(List.of(mode));
        ArchiveFixture.archivingTo(archive.toString()).forEach((key, value) -> args.add("--partwarden." + key + "=" + value));
        return args.toArray(String[]::new);
    }

    static Path januaryManifest() {
        return archive.resolve("Audit%20Trail.Events/20240101T000000Z_20240201T000000Z.manifest.json");
    }

    @Test
    @Order(1)
    void dryRunPrintsTheDetachTheCopyIntoWhichFileAndTheDropAndWritesNothing(CapturedOutput output) {
        assertThat(Commands.run(database.get(), archiving("--dry-run"))).isZero();

        assertThat(output.getOut())
                .contains("ALTER TABLE \"Audit Trail\".\"Events\" DETACH PARTITION \"Audit Trail\".\"Events_y2024m01\" CONCURRENTLY;")
                .contains("-- archive: COPY \"Audit Trail\".\"Events_y2024m01\" (\"Id\", \"At\", note, amount, payload, flag, data,"
                        + " ratio, tags) TO STDOUT  >  " + archive.resolve("Audit%20Trail.Events/20240101T000000Z_20240201T000000Z.copy.gz")
                        + " (gzip level 6)")
                .contains("DROP TABLE \"Audit Trail\".\"Events_y2024m01\";");
        assertThat(archive).isEmptyDirectory();
    }

    @Test
    @Order(2)
    void verifyNamesAnArchiveDirectoryThatIsNotThereAndARetirementLeftHalfWay(CapturedOutput output) {
        database.get().execute("""
                INSERT INTO partwarden.retirement (parent_schema, parent_name, partition_schema, partition_name,
                                                   lower_bound, upper_bound, state)
                VALUES ('Audit Trail', 'Events', 'Audit Trail', 'Events_y2023m12', '2023-12-01Z', '2024-01-01Z', 'detached')""");
        List<String> args = new ArrayList<>(List.of(archiving("--verify")));
        args.removeIf(arg -> arg.startsWith("--partwarden.archive.directory="));
        args.add("--partwarden.archive.directory=" + archive.resolve("not-mounted"));

        assertThat(Commands.run(database.get(), args.toArray(String[]::new))).isEqualTo(1);

        assertThat(output.getOut()).contains("PROBLEM Audit Trail.Events: cannot archive retired partitions of Audit Trail.Events:"
                        + " archive directory " + archive.resolve("not-mounted") + " (partwarden.archive.directory) does not exist")
                .contains("PROBLEM Audit Trail.Events: retirement of \"Audit Trail\".\"Events_y2023m12\" is still detached since");
        database.get().execute("DELETE FROM partwarden.retirement WHERE partition_name = 'Events_y2023m12'");
    }

    @Test
    @Order(3)
    void onceArchivesBothMonthsAndExitsZero() {
        assertThat(Commands.run(database.get(), archiving("--once"))).isZero();

        assertThat(januaryManifest()).exists();
    }

    @Test
    @Order(4)
    void restoreLoadsTheArchiveSaysSoAndExitsZero(CapturedOutput output) {
        int code = Commands.run(database.get(), "--restore=" + januaryManifest(), "--restore-into=Audit Trail.by_command");

        assertThat(code).isZero();
        assertThat(output.getOut()).contains("Restored 200 rows of Audit Trail.Events [2024-01-01T00:00:00Z, 2024-02-01T00:00:00Z)"
                + " into Audit Trail.by_command; count and checksums match the manifest");
        assertThat(database.get().jdbc().queryForObject(ROWS.formatted("\"Audit Trail\".by_command"), String.class))
                .isEqualTo(januaryRows);
    }

    @Test
    @Order(5)
    void restoreOfAMissingManifestSaysWhatIsMissingAndExitsOne(CapturedOutput output) {
        Path missing = archive.resolve("nowhere.manifest.json");

        assertThat(Commands.run(database.get(), "--restore=" + missing)).isEqualTo(1);
        assertThat(output.getOut()).contains("Restore of " + missing + " FAILED, nothing was changed: manifest " + missing
                + " does not exist");
    }

    @Test
    @Order(6)
    void restoreWithoutAManifestSaysHowToUseItAndExitsTwo(CapturedOutput output) {
        assertThat(Commands.run(database.get(), "--restore")).isEqualTo(2);
        assertThat(output.getErr()).contains("--restore needs the path of an archive manifest")
                .contains("usage: java -jar partwarden.jar");
    }

    @Test
    @Order(7)
    void listArchivesNamesEachArchiveOfTheDirectoryWithoutReachingADatabase(CapturedOutput output) {
        int code = Commands.runOn("jdbc:postgresql://127.0.0.1:1/none", "nobody", "", "--list-archives=" + archive);

        assertThat(code).isZero();
        assertThat(output.getOut()).contains("Archives in " + archive + ": 2 of 1 table, 400 rows")
                .as("a few kilobytes of archives are not 0.0 MB").containsPattern("400 rows, [1-9][0-9]*\\.[0-9] kB\\R")
                .containsPattern("Audit Trail\\.Events +2024-01-01T00:00:00Z +2024-02-01T00:00:00Z +200 +\\d+ +\\S+ +"
                        + java.util.regex.Pattern.quote(januaryManifest().toString()));
    }

    @Test
    @Order(8)
    void listArchivesOfADirectoryThatIsNotThereSaysSoAndExitsOne(CapturedOutput output) {
        Path missing = archive.resolve("not-mounted");

        assertThat(Commands.runOn("jdbc:postgresql://127.0.0.1:1/none", "nobody", "", "--list-archives=" + missing)).isEqualTo(1);
        assertThat(output.getOut()).contains("Cannot list archives in " + missing + ": archive directory " + missing
                + " does not exist");
    }

    @Test
    @Order(9)
    void listArchivesWithoutALocationSaysWhereToGiveOneAndExitsTwo(CapturedOutput output) {
        assertThat(Commands.runOn("jdbc:postgresql://127.0.0.1:1/none", "nobody", "", "--list-archives")).isEqualTo(2);
        assertThat(output.getErr()).contains("--list-archives needs a location: give --list-archives=<directory or"
                + " s3://bucket/prefix>, or set partwarden.archive.location");
    }
}
