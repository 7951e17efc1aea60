package io.partwarden.archive;

import static io.partwarden.testing.ArchiveFixture.FEBRUARY;
import static io.partwarden.testing.ArchiveFixture.JANUARY;
import static io.partwarden.testing.ArchiveFixture.QUALIFIED;
import static io.partwarden.testing.ArchiveFixture.ROWS;
import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.TableName;
import io.partwarden.maintenance.PassReport;
import io.partwarden.restore.PartitionRestore;
import io.partwarden.testing.ArchiveFixture;
import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code on-retire: archive}: file, manifest, read-back, drop; and {@code --restore} of what it wrote. */
@VersionSensitive
class ArchiveRetirementTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @TempDir
    static Path archive;

    static String januaryRows;
    static String februaryRows;
    static PassReport report;

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void archiveTwoMonths() {
        TestProperties.migrate(database.get());
        ArchiveFixture.create(database.get(), 500);
        januaryRows = jdbc().queryForObject(ROWS.formatted(JANUARY), String.class);
        februaryRows = jdbc().queryForObject(ROWS.formatted(FEBRUARY), String.class);
        report = Engine.on(database.get(), ArchiveFixture.archivingTo(archive.toString())).runner().runIfLockFree().orElseThrow();
    }

    static Path folder() {
        return archive.resolve("Audit%20Trail.Events");
    }

    static Path januaryManifest() {
        return folder().resolve("20240101T000000Z_20240201T000000Z.manifest.json");
    }

    static PartitionRestore restore() {
        return Engine.restoreOn(database.get());
    }

    @Test
    void eachRetiredMonthBecomesOneArchiveAndManifestAndThePartitionIsDropped() throws IOException {
        assertThat(report.converged()).as(report.failures().toString()).isTrue();
        assertThat(report.outcomes()).extracting(o -> o.kind()).as("counted as archived").containsExactly("created", "created", "archived", "archived");
        try (Stream<Path> files = Files.list(folder())) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly(
                    "20240101T000000Z_20240201T000000Z.copy.gz", "20240101T000000Z_20240201T000000Z.manifest.json",
                    "20240201T000000Z_20240301T000000Z.copy.gz", "20240201T000000Z_20240301T000000Z.manifest.json");
        }
        assertThat(jdbc().queryForObject("SELECT to_regclass(?) IS NULL AND to_regclass(?) IS NULL", Boolean.class, JANUARY, FEBRUARY))
                .isTrue();
        assertThat(jdbc().queryForList("""
                SELECT state || ' ' || archive_rows || ' ' || archive_manifest FROM partwarden.retirement
                 WHERE parent_name = 'Events' ORDER BY lower_bound""", String.class))
                .containsExactly("dropped 500 " + januaryManifest(),
                        "dropped 500 " + folder().resolve("20240201T000000Z_20240301T000000Z.manifest.json"));
    }

    @Test
    void theManifestDescribesTableBoundsColumnsRowsAndChecksumsOfTheFile() throws Exception {
        Manifest manifest = ManifestFile.read(januaryManifest());
        assertThat(manifest.table().toTableName()).isEqualTo(new TableName("Audit Trail", "Events"));
        assertThat(manifest.partition().name()).isEqualTo("Events_y2024m01");
        assertThat(manifest.rangeColumn()).isEqualTo("At");
        assertThat(manifest.bounds().lower()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(manifest.bounds().upper()).isEqualTo(Instant.parse("2024-02-01T00:00:00Z"));
        assertThat(manifest.columns()).extracting(c -> c.name() + " " + c.type()).containsExactly("Id bigint",
                "At timestamp with time zone", "note text", "amount numeric(12,2)", "payload jsonb", "flag boolean",
                "data bytea", "ratio double precision", "tags text[]");
        assertThat(manifest.rows()).isEqualTo(500);
        Path data = folder().resolve(manifest.file());
        assertThat(manifest.fileBytes()).isEqualTo(Files.size(data));
        assertThat(manifest.fileSha256()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(data))));
        assertThat(manifest.recreateDdl()).anyMatch(s -> s.startsWith("CREATE TABLE \"Audit Trail\".\"Events_y2024m01\" (LIKE"))
                .anyMatch(s -> s.contains("ATTACH PARTITION \"Audit Trail\".\"Events_y2024m01\" FOR VALUES FROM"));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(data))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text.lines()).as("one line per row: newlines in values are escaped").hasSize(500);
            assertThat(text).contains("line 1\\n\\ttab \\\\ back");
        }
    }

    @Test
    void restoreRecreatesThePartitionWithTheSameRowsAndAttachesIt() {
        PartitionRestore.Restored restored = restore().restore(januaryManifest(), null, Duration.ofSeconds(5));

        assertThat(restored.attached()).isTrue();
        assertThat(restored.rows()).isEqualTo(500);
        assertThat(jdbc().queryForObject(ROWS.formatted(JANUARY), String.class)).isEqualTo(januaryRows);
        assertThat(jdbc().queryForObject("""
                SELECT count(*) FROM partwarden.partitions(?::regclass)
                 WHERE partition_name = 'Events_y2024m01' AND lower_bound = '2024-01-01Z' AND upper_bound = '2024-02-01Z'""",
                Long.class, QUALIFIED)).isEqualTo(1L);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM pg_indexes WHERE schemaname = 'Audit Trail' AND tablename = 'Events_y2024m01'",
                Long.class)).as("primary key and the parent's index").isEqualTo(2L);
        jdbc().execute("ALTER TABLE " + QUALIFIED + " DETACH PARTITION " + JANUARY);
        jdbc().execute("DROP TABLE " + JANUARY);
    }

    @Test
    void restoreIntoANamedTableWhenTheRangeIsTaken() {
        Path february = folder().resolve("20240201T000000Z_20240301T000000Z.manifest.json");
        jdbc().execute("SELECT partwarden.create_partition('\"Audit Trail\".\"Events\"', 'Events_feb_again', '2024-02-10Z', '2024-02-20Z')");

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> restore().restore(february, null, Duration.ofSeconds(5))))
                .hasMessageContaining("is taken by \"Audit Trail\".\"Events_feb_again\"").hasMessageContaining("--restore-into");
        PartitionRestore.Restored restored = restore().restore(february, TableName.parse("Audit Trail.Feb Restored"),
                Duration.ofSeconds(5));

        assertThat(restored.attached()).isFalse();
        assertThat(jdbc().queryForObject(ROWS.formatted("\"Audit Trail\".\"Feb Restored\""), String.class)).isEqualTo(februaryRows);
    }

    @Test
    void aPartitionBoundedByMinvalueIsArchivedUnderMinAndRestored() {
        database.get().execute("""
                CREATE TABLE "Audit Trail"."Ancient" ("At" timestamptz NOT NULL, note text) PARTITION BY RANGE ("At");
                CREATE TABLE "Audit Trail"."Ancient_before_2024" PARTITION OF "Audit Trail"."Ancient"
                  FOR VALUES FROM (MINVALUE) TO ('2024-01-01Z');
                INSERT INTO "Audit Trail"."Ancient" SELECT '1999-01-01Z'::timestamptz + g * interval '1 day', 'old ' || g
                  FROM generate_series(1, 50) g;""");
        String rows = jdbc().queryForObject("SELECT md5(string_agg(note, ',' ORDER BY \"At\")) FROM \"Audit Trail\".\"Ancient\"", String.class);

        PassReport archived = Engine.on(database.get(), java.util.Map.of("tables[0].name", "Audit Trail.Ancient",
                "tables[0].column", "At", "tables[0].premake", "0", "tables[0].retention", "12m", "tables[0].on-retire", "archive",
                "archive.directory", archive.toString(), "lock.at-least-for", "0s")).runner().runIfLockFree().orElseThrow();

        assertThat(archived.converged()).as(archived.failures().toString()).isTrue();
        Path manifest = archive.resolve("Audit%20Trail.Ancient/min_20240101T000000Z.manifest.json");
        assertThat(ManifestFile.read(manifest).lowerBound()).isEqualTo(Instant.MIN);
        restore().restore(manifest, null, Duration.ofSeconds(5));
        assertThat(jdbc().queryForObject("SELECT md5(string_agg(note, ',' ORDER BY \"At\")) FROM \"Audit Trail\".\"Ancient_before_2024\"",
                String.class)).isEqualTo(rows);
    }

    @Test
    void withADefaultPartitionTheDetachIsPlainAndTheArchiveTheSame() {
        database.get().execute("""
                CREATE TABLE "Audit Trail"."Defaulted" ("At" timestamptz NOT NULL, note text) PARTITION BY RANGE ("At");
                SELECT partwarden.create_month_partition('"Audit Trail"."Defaulted"', '2024-01-15');
                CREATE TABLE "Audit Trail"."Defaulted_default" PARTITION OF "Audit Trail"."Defaulted" DEFAULT;
                INSERT INTO "Audit Trail"."Defaulted" SELECT '2024-01-01Z'::timestamptz + g * interval '1 hour', 'n' || g
                  FROM generate_series(1, 40) g;""");

        PassReport archived = Engine.on(database.get(), java.util.Map.of("tables[0].name", "Audit Trail.Defaulted",
                "tables[0].column", "At", "tables[0].premake", "0", "tables[0].retention", "12m", "tables[0].on-retire", "archive",
                "tables[0].default-partition", "true", "archive.directory", archive.toString(), "lock.at-least-for", "0s"))
                .runner().runIfLockFree().orElseThrow();

        assertThat(archived.converged()).as(archived.failures().toString()).isTrue();
        assertThat(archived.outcomes()).filteredOn(o -> o.kind().equals("archived")).singleElement()
                .satisfies(o -> assertThat(o.action()).contains("plain detach"));
        assertThat(ManifestFile.read(archive.resolve("Audit%20Trail.Defaulted/20240101T000000Z_20240201T000000Z.manifest.json"))
                .rows()).isEqualTo(40);
        assertThat(jdbc().queryForObject("SELECT to_regclass('\"Audit Trail\".\"Defaulted_y2024m01\"') IS NULL", Boolean.class))
                .isTrue();
    }

    @Test
    void aTableWhoseColumnsDifferFromTheManifestIsRefusedByName() {
        jdbc().execute("CREATE TABLE \"Audit Trail\".other (\"Id\" text, \"At\" timestamptz)");

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> restore().restore(januaryManifest(),
                TableName.parse("Audit Trail.other"), Duration.ofSeconds(5))))
                .isInstanceOf(ArchiveException.class)
                .hasMessageContaining("is an archive of Audit Trail.Events that Audit Trail.other cannot take")
                .hasMessageContaining("Id is text, not bigint").hasMessageContaining("no column note text");
        assertThat(jdbc().queryForObject("SELECT count(*) FROM \"Audit Trail\".other", Long.class)).isZero();
    }

}
