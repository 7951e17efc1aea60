package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scheduled pass never throws: failures are counted and kept for health. */
class PassRunnerTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final Map<String, String> SAMPLES = Map.of("tables[0].name", "samples", "tables[0].column", "at",
            "lock.at-least-for", "0s");

    @BeforeAll
    static void createSamples() {
        TestProperties.migrate(database.get());
        database.get().execute("CREATE TABLE samples (at timestamptz NOT NULL) PARTITION BY RANGE (at)");
    }

    @Test
    void aFailingPassIsCountedAndKeptAndASucceedingOneClearsTheCount() {
        Engine engine = Engine.on(database.get(), SAMPLES);
        database.get().execute("ALTER TABLE samples RENAME TO samples_elsewhere");

        assertThat(engine.runner().runIfLockFree()).hasValueSatisfying(r -> assertThat(r.converged()).isFalse());
        assertThat(engine.runner().runIfLockFree()).isPresent();
        assertThat(engine.status().consecutiveFailures()).isEqualTo(2);
        assertThat(engine.status().lastError()).hasValueSatisfying(e -> assertThat(e).contains("samples", "does not exist"));
        assertThat(engine.status().lastSuccess()).isEmpty();

        database.get().execute("ALTER TABLE samples_elsewhere RENAME TO samples");
        assertThat(engine.runner().runIfLockFree()).hasValueSatisfying(r -> assertThat(r.converged()).isTrue());
        assertThat(engine.status().consecutiveFailures()).isZero();
        assertThat(engine.status().lastSuccess()).isPresent();
        assertThat(engine.status().passStartedAt()).isEmpty();
    }

    @Test
    void aPassThatCannotReachTheDatabaseDoesNotThrow() {
        Engine engine = Engine.on(database.get(), SAMPLES);
        database.get().execute("ALTER TABLE partwarden.shedlock RENAME TO shedlock_gone");
        try {
            assertThat(engine.runner().runIfLockFree()).isEmpty();
            assertThat(engine.status().consecutiveFailures()).isEqualTo(1);
            assertThat(engine.status().lastError()).isPresent();
        } finally {
            database.get().execute("ALTER TABLE partwarden.shedlock_gone RENAME TO shedlock");
        }
    }
}
