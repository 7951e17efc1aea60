package io.partwarden.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A manifest whose number is missing or not a number is refused naming the field, in words, not Jackson's. */
class ManifestFieldTest {

    static String goodManifest() {
        return ManifestFile.toJson(new Manifest(Manifest.FORMAT, new Manifest.Table("public", "workflow_events"),
                new Manifest.Table("public", "workflow_events_y2024m01"), "ts", Instant.parse("2024-01-01T00:00:00Z"),
                Instant.parse("2024-02-01T00:00:00Z"), List.of(new Manifest.Column("ts", "timestamp with time zone")), 2000,
                "20240101T000000Z_20240201T000000Z.copy.gz", 1234, "ab", "cd", "text", ArchiveWriter.COPY_SETTINGS,
                List.of("CREATE TABLE x ()"), 7, "PostgreSQL 15", Instant.parse("2024-06-01T00:00:00Z")));
    }

    static Path write(Path directory, String json) throws Exception {
        return Files.writeString(directory.resolve("m.manifest.json"), json);
    }

    @Test
    void theGoodManifestReads(@TempDir Path directory) throws Exception {
        assertThat(ManifestFile.read(write(directory, goodManifest())).rows()).isEqualTo(2000);
    }

    @Test
    void aMissingNumberIsNamed(@TempDir Path directory) throws Exception {
        Path manifest = write(directory, goodManifest().replaceAll("\"rows\" : 2000,", ""));

        assertThatThrownBy(() -> ManifestFile.read(manifest)).isInstanceOf(ArchiveException.class)
                .hasMessage("manifest " + manifest + " is incomplete: rows is missing or null; a whole number is required");
    }

    @Test
    void aNumberThatIsNotOneIsNamed(@TempDir Path directory) throws Exception {
        Path manifest = write(directory, goodManifest().replaceAll("\"fileBytes\" : 1234", "\"fileBytes\" : \"big\""));

        assertThatThrownBy(() -> ManifestFile.read(manifest)).isInstanceOf(ArchiveException.class)
                .hasMessage("manifest " + manifest + " is incomplete: fileBytes is big, not a whole number")
                .hasMessageNotContaining("Cannot").hasMessageNotContaining("DeserializationFeature");
    }
}
