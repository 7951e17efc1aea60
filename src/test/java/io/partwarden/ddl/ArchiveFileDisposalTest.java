package io.partwarden.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.TableName;
import io.partwarden.testing.Engine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code on-retire: archive} under the contract every disposal keeps, killed at each of its
 * steps (CrashSafetyTest checks the files and states left at each).
 */
class ArchiveFileDisposalTest extends DisposalContract {

    @TempDir
    static Path archive;

    @Override
    String onRetire() {
        return "archive";
    }

    @Override
    Map<String, String> modeSettings() {
        return Map.of("archive.directory", archive.toString());
    }

    @Override
    List<String> crashSteps() {
        return ARCHIVE_STEPS;
    }

    @Override
    void assertDisposedOf(String partition, String rows) {
        String manifest = database().jdbc().queryForObject("SELECT archive_manifest FROM partwarden.retirement"
                + " WHERE partition_name = ? AND state = 'dropped'", String.class, partition);
        String back = "back " + partition.hashCode();
        Engine.restoreOn(database()).restore(Path.of(manifest), new TableName("Dry Run", back), Duration.ofSeconds(5));
        assertThat(database().jdbc().queryForObject(ROWS.formatted("\"Dry Run\".\"" + back + "\""), String.class))
                .as("every row, every value, read back from the archive").isEqualTo(rows);
    }
}
