package io.partwarden.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.TableName;
import io.partwarden.testing.Engine;
import io.partwarden.testing.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code on-retire: archive} into S3-compatible object storage (a real S3 API server, S3Proxy),
 * under the contract every disposal keeps: killed at each of its steps it converges with one
 * object pair per range, read back through {@code --restore=s3://…}.
 */
class S3ArchiveDisposalTest extends DisposalContract {

    @TempDir
    static Path storeDirectory;

    static S3ProxyServer store;

    @BeforeAll
    static void startStore() throws Exception {
        store = S3ProxyServer.startAsDefault(storeDirectory, "archives"); // the SDK's default chain, as in production
    }

    @AfterAll
    static void stopStore() throws Exception {
        store.close();
    }

    @Override
    String onRetire() {
        return "archive";
    }

    @Override
    Map<String, String> modeSettings() {
        return Map.of("archive.location", "s3://archives/retired", "archive.s3.endpoint", store.endpoint().toString(),
                "archive.s3.path-style", "true");
    }

    @Override
    Map<String, String> modeEnvironment() {
        return store.environment();
    }

    @Override
    List<String> crashSteps() {
        return ARCHIVE_STEPS;
    }

    @Override
    void assertDisposedOf(String partition, String rows) {
        String manifest = database().jdbc().queryForObject("SELECT archive_manifest FROM partwarden.retirement"
                + " WHERE partition_name = ? AND state = 'dropped'", String.class, partition);
        assertThat(manifest).startsWith("s3://archives/retired/");
        String back = "back " + partition.hashCode();
        Engine.restoreOn(database(), modeSettings()).restore(manifest, new TableName("Dry Run", back), Duration.ofSeconds(5));
        assertThat(database().jdbc().queryForObject(ROWS.formatted("\"Dry Run\".\"" + back + "\""), String.class))
                .as("every row, every value, read back from the object").isEqualTo(rows);
    }
}
