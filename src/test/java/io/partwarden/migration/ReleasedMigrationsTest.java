package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A released migration is never edited: a database that applied it would refuse to start (Flyway
 * validates checksums) or, worse, differ from a new one. Their checksums as released (tag
 * v0.1.0) are pinned here; a change goes into a new migration, which adds a line at its release.
 */
class ReleasedMigrationsTest {

    static final Map<String, Integer> RELEASED = new LinkedHashMap<>();

    static {
        RELEASED.put("1", -179403672);
        RELEASED.put("2", -1350833437);
        RELEASED.put("3", -49824296);
        RELEASED.put("4", -1707926440);
        RELEASED.put("7", 514487390);
        RELEASED.put("8", -1328161447);
        RELEASED.put("8.1", -1901808355); // ConversionFunctionsMigration: the checksum of db/partwarden-functions/conversion.sql
        RELEASED.put("9", 1315231194);
        RELEASED.put("10", 1044971859);
    }

    @Test
    void everyReleasedMigrationKeepsTheChecksumItWasReleasedWith() {
        try (TestDatabase db = TestDatabase.create("released_migrations")) {
            TestProperties.migrate(db);
            Map<String, Integer> applied = new LinkedHashMap<>();
            db.jdbc().query("SELECT version, checksum FROM partwarden.partwarden_schema_history WHERE version IS NOT NULL"
                    + " ORDER BY installed_rank", row -> {
                        applied.put(row.getString(1), (Integer) row.getObject(2));
                    });

            assertThat(applied).containsAllEntriesOf(RELEASED);
        }
    }
}
