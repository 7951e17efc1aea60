package io.partwarden.archive;

import static io.partwarden.testing.ArchiveFixture.JANUARY;
import static io.partwarden.testing.ArchiveFixture.QUALIFIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.partwarden.catalog.TableName;
import io.partwarden.maintenance.PassReport;
import io.partwarden.restore.PartitionRestore;
import io.partwarden.testing.ArchiveFixture;
import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.SmallVolume;
import io.partwarden.testing.TestProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every bad input is refused with a message that says what is wrong, and leaves the partition
 * attached (a bad archive directory) or the database as it was (a bad archive to restore).
 */
class ArchiveBadInputTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @TempDir
    static Path temp;

    /** A good archive of January, 2,000 rows, copied by each restore test before it spoils it. */
    static Path goodArchive;

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void archiveJanuary() throws Exception {
        TestProperties.migrate(database.get());
        ArchiveFixture.create(database.get(), 2000);
        goodArchive = Files.createDirectories(temp.resolve("good"));
        PassReport report = Engine.on(database.get(), ArchiveFixture.archivingTo(goodArchive.toString())).runner().runIfLockFree()
                .orElseThrow();
        assertThat(report.converged()).as(report.failures().toString()).isTrue();
    }

    @BeforeEach
    void freshTable() {
        ArchiveFixture.create(database.get(), 2000);
    }

    @Test
    void aMissingDirectoryIsNamedAndThePartitionStaysAttached() {
        PassReport report = pass(temp.resolve("not-mounted").toString());

        assertRefusedBeforeDetaching(report, "archive directory " + temp.resolve("not-mounted")
                + " (partwarden.archive.directory) does not exist; create it or mount the volume there");
    }

    @Test
    void aDirectoryThatIsAFileIsNamed() throws Exception {
        Path file = Files.writeString(temp.resolve("a-file"), "x");

        assertRefusedBeforeDetaching(pass(file.toString()), file + " (partwarden.archive.directory) is not a directory");
    }

    @Test
    void anUnwritableDirectoryIsNamedAndThePartitionStaysAttached() throws Exception {
        Path readOnly = Files.createDirectories(temp.resolve("read-only"));
        String refusal = "archive directory " + readOnly + " (partwarden.archive.directory) is not writable by this process";
        if (!SmallVolume.isRoot()) { // permissions stop anyone but root
            Files.setPosixFilePermissions(readOnly, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
            assertRefusedBeforeDetaching(pass(readOnly.toString()), refusal);
            return;
        }
        try (SmallVolume volume = SmallVolume.mount(readOnly, "ro,size=1m")) {
            assertRefusedBeforeDetaching(pass(readOnly.toString()), refusal);
        }
    }

    @Test
    void aDirectoryWithoutRoomIsNamedWithWhatItHasAndNeedsAndThePartitionStaysAttached() throws Exception {
        Path small = Files.createDirectories(temp.resolve("small"));
        try (SmallVolume volume = SmallVolume.mount(small, "size=64k")) {
            PassReport report = pass(small.toString());

            assertRefusedBeforeDetaching(report, "archive directory " + small + " (partwarden.archive.directory) has 0.1 MB free,"
                    + " and the partition takes");
            assertThat(report.failures().get(0).error()).contains("free some space or give the archive a larger volume");
        }
    }

    @Test
    void aDiskThatFillsUpDuringTheWriteLeavesNoFileAndTheDetachedTableWhole() throws Exception {
        // random bytes: their COPY text (hex) compressed at level 1 outgrows the table itself,
        // so the volume passes the free-space check and still runs out in the middle of the write
        database.get().execute("""
                CREATE TABLE "Audit Trail"."Blobs" ("At" timestamptz NOT NULL, data bytea) PARTITION BY RANGE ("At");
                SELECT partwarden.create_month_partition('"Audit Trail"."Blobs"', '2024-01-15');
                INSERT INTO "Audit Trail"."Blobs"
                SELECT '2024-01-01'::timestamptz + g * interval '1 minute',
                       decode((SELECT string_agg(md5(random()::text || g || i), '') FROM generate_series(1, 94) i), 'hex')
                  FROM generate_series(1, 2000) g;""");
        long tableBytes = jdbc().queryForObject("SELECT pg_table_size('\"Audit Trail\".\"Blobs_y2024m01\"')", Long.class);
        String rows = jdbc().queryForObject("SELECT md5(string_agg(data::text, ',' ORDER BY \"At\")) FROM \"Audit Trail\".\"Blobs_y2024m01\"",
                String.class);
        Path tight = Files.createDirectories(temp.resolve("tight"));
        java.util.Map<String, String> settings = new java.util.HashMap<>(java.util.Map.of("tables[0].name", "Audit Trail.Blobs",
                "tables[0].column", "At", "tables[0].premake", "0", "tables[0].retention", "12m", "tables[0].on-retire", "archive",
                "archive.directory", tight.toString(), "archive.compression-level", "1", "lock.at-least-for", "0s"));
        try (SmallVolume volume = SmallVolume.mount(tight, "size=" + (tableBytes + tableBytes / 20))) {
            PassReport full = Engine.on(database.get(), settings).runner().runIfLockFree().orElseThrow();

            assertThat(full.converged()).isFalse();
            assertThat(full.failures().get(0).error()).contains("writing the archive of Audit Trail.Blobs_y2024m01")
                    .contains("failed, the table is kept and the next pass tries again").contains("No space left on device");
            try (var files = Files.walk(tight)) {
                assertThat(files.filter(Files::isRegularFile)).as("no partial file left").isEmpty();
            }
        }
        assertThat(jdbc().queryForObject("SELECT md5(string_agg(data::text, ',' ORDER BY \"At\")) FROM \"Audit Trail\".\"Blobs_y2024m01\"",
                String.class)).isEqualTo(rows);
        settings.put("archive.directory", Files.createDirectories(temp.resolve("roomy")).toString());
        PassReport roomy = Engine.on(database.get(), settings).runner().runIfLockFree().orElseThrow();
        assertThat(roomy.converged()).as(roomy.failures().toString()).isTrue();
        assertThat(jdbc().queryForObject("SELECT to_regclass('\"Audit Trail\".\"Blobs_y2024m01\"') IS NULL", Boolean.class)).isTrue();
    }

    @Test
    void anExistingArchiveOfTheSameRangeIsNeverOverwritten() throws Exception {
        Path again = copyOfGoodArchive("again");
        byte[] data = Files.readAllBytes(dataIn(again));
        String manifest = Files.readString(manifestIn(again));

        assertRefusedBeforeDetaching(pass(again.toString()), manifestIn(again) + " already holds an archive of"
                + " [2024-01-01T00:00:00Z, 2024-02-01T00:00:00Z) of Audit Trail.Events");
        assertThat(Files.readAllBytes(dataIn(again))).isEqualTo(data);
        assertThat(Files.readString(manifestIn(again))).isEqualTo(manifest);
    }

    @Test
    void aManifestWithOtherCopySettingsIsRefusedBeforeAnySettingIsApplied() throws Exception {
        Path copy = copyOfGoodArchive("settings");
        Path manifest = manifestIn(copy);
        Files.writeString(manifest, Files.readString(manifest).replace("\"TimeZone\" : \"UTC\"",
                "\"session_replication_role\" : \"replica\""));

        assertRestoreRefused(manifest, "Partwarden reads only format text under");
    }

    @Test
    void aManifestWhoseColumnTypeHidesACommentIsRefused() throws Exception {
        Path copy = copyOfGoodArchive("comment-type");
        Path manifest = manifestIn(copy);
        Files.writeString(manifest, Files.readString(manifest).replace("\"type\" : \"bigint\"", "\"type\" : \"bigint -- x\""));

        Throwable failure = catchThrowable(() -> restore().restore(manifest, TableName.parse("Audit Trail.restored"),
                Duration.ofSeconds(5)));

        assertThat(failure).hasMessageContaining("bigint -- x is not a type of this database");
        assertThat(jdbc().queryForObject("SELECT to_regclass('\"Audit Trail\".restored') IS NULL", Boolean.class)).isTrue();
    }

    @Test
    void aCorruptArchiveIsRefusedAndNothingIsCreated() throws Exception {
        Path copy = copyOfGoodArchive("corrupt");
        Path data = dataIn(copy);
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 3] ^= 0x01;
        Files.write(data, bytes);

        assertRestoreRefused(manifestIn(copy), "is truncated or corrupt", "is corrupt: its SHA-256 is");
    }

    @Test
    void aTruncatedArchiveIsRefusedByItsSize() throws Exception {
        Path copy = copyOfGoodArchive("truncated");
        Path data = dataIn(copy);
        byte[] bytes = Files.readAllBytes(data);
        Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertRestoreRefused(manifestIn(copy), "bytes, its manifest says " + bytes.length + ": truncated or replaced");
    }

    @Test
    void aTruncatedArchiveWhoseManifestWasEditedToMatchIsRefusedByItsCompression() throws Exception {
        Path copy = copyOfGoodArchive("truncated-and-edited");
        Path data = dataIn(copy);
        byte[] bytes = Files.readAllBytes(data);
        Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path manifest = manifestIn(copy);
        Files.writeString(manifest, Files.readString(manifest).replace("\"fileBytes\" : " + bytes.length,
                "\"fileBytes\" : " + bytes.length / 2));

        assertRestoreRefused(manifest, "is truncated or corrupt: Unexpected end of ZLIB input stream");
    }

    @Test
    void anArchiveOfAnotherRangeSwappedInIsRefusedByItsChecksum() throws Exception {
        Path copy = copyOfGoodArchive("swapped");
        Path february = copy.resolve("Audit%20Trail.Events/20240201T000000Z_20240301T000000Z.copy.gz");
        Path data = dataIn(copy);
        Files.copy(february, data, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path manifest = manifestIn(copy);
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"fileBytes\" : \\d+",
                "\"fileBytes\" : " + Files.size(data)));

        assertRestoreRefused(manifest, "is corrupt: its SHA-256 is");
    }

    @Test
    void aFileThatIsNotAManifestIsNamedSo() throws Exception {
        Path notJson = Files.writeString(temp.resolve("notes.json"), "{\"hello\": 1}");

        assertRestoreRefused(notJson, notJson + " is not a Partwarden archive manifest");
    }

    @Test
    void aManifestPointingOutsideItsFolderIsRefused() throws Exception {
        Path copy = copyOfGoodArchive("escape");
        Path manifest = manifestIn(copy);
        Files.writeString(manifest, Files.readString(manifest).replace("\"file\" : \"", "\"file\" : \"../../"));

        assertRestoreRefused(manifest, "it must be a plain file name beside the manifest");
    }

    @Test
    void aManifestOfAnotherTableIsRefusedByTheColumnsItLacks() throws Exception {
        jdbc().execute("""
                CREATE TABLE "Audit Trail".metrics (at timestamptz NOT NULL, value float8) PARTITION BY RANGE (at);""");
        Path copy = copyOfGoodArchive("other-table");
        Path manifest = manifestIn(copy);
        Files.writeString(manifest, Files.readString(manifest).replace("\"name\" : \"Events\"", "\"name\" : \"metrics\""));

        String tablesBefore = tables();
        assertThat(catchThrowable(() -> restore().restore(manifest, null, Duration.ofSeconds(5))))
                .isInstanceOf(ArchiveException.class)
                .hasMessageContaining("is an archive of Audit Trail.metrics that Audit Trail.metrics cannot take")
                .hasMessageContaining("no column Id bigint");
        assertThat(tables()).isEqualTo(tablesBefore);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM pg_inherits WHERE inhparent = '\"Audit Trail\".metrics'::regclass",
                Long.class)).isZero();
    }

    private static PassReport pass(String directory) {
        return Engine.on(database.get(), ArchiveFixture.archivingTo(directory)).runner().runIfLockFree().orElseThrow();
    }

    private static void assertRefusedBeforeDetaching(PassReport report, String message) {
        assertThat(report.converged()).isFalse();
        assertThat(report.failures()).hasSize(2).allSatisfy(f -> assertThat(f.error()).contains("cannot archive"));
        assertThat(report.failures().get(0).error()).contains(message);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions(?::regclass) WHERE lower_bound < '2024-03-01Z'",
                Long.class, QUALIFIED)).as("both months still attached").isEqualTo(2L);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.retirement WHERE parent_schema = 'Audit Trail'",
                Long.class)).as("no retirement began").isZero();
    }

    private static void assertRestoreRefused(Path manifest, String... anyOf) {
        String tablesBefore = tables();
        Throwable failure = catchThrowable(() -> restore().restore(manifest, TableName.parse("Audit Trail.restored"),
                Duration.ofSeconds(5)));
        assertThat(failure).isInstanceOf(ArchiveException.class);
        assertThat(anyOf).as("message: " + failure.getMessage()).anyMatch(failure.getMessage()::contains);
        assertThat(tables()).as("nothing was created").isEqualTo(tablesBefore);
        Throwable asPartition = catchThrowable(() -> restore().restore(manifest, null, Duration.ofSeconds(5)));
        assertThat(asPartition).as("refused for the same reason, before looking at the table")
                .isInstanceOf(ArchiveException.class).hasMessage(failure.getMessage());
        assertThat(tables()).isEqualTo(tablesBefore);
    }

    private static String tables() {
        return jdbc().queryForObject("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'Audit Trail' AND relkind IN ('r', 'p')",
                String.class);
    }

    static PartitionRestore restore() {
        return Engine.restoreOn(database.get());
    }

    private static Path copyOfGoodArchive(String name) throws Exception {
        Path copy = temp.resolve(name);
        Path folder = Files.createDirectories(copy.resolve("Audit%20Trail.Events"));
        try (var files = Files.list(goodArchive.resolve("Audit%20Trail.Events"))) {
            for (Path file : files.toList()) {
                Files.copy(file, folder.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    private static Path manifestIn(Path archive) {
        return archive.resolve("Audit%20Trail.Events/20240101T000000Z_20240201T000000Z.manifest.json");
    }

    private static Path dataIn(Path archive) {
        return archive.resolve("Audit%20Trail.Events/20240101T000000Z_20240201T000000Z.copy.gz");
    }

}
