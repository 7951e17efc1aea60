package io.partwarden.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.health.contributor.Status;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The partitions component turns DOWN after too many failed passes in a row, and UP after a good one. */
class PartitionsHealthTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @Test
    void threeFailedPassesInARowMakeItDownAndASucceedingPassMakesItUpAgain() {
        TestProperties.migrate(database.get());
        database.get().execute("CREATE TABLE samples (at timestamptz NOT NULL) PARTITION BY RANGE (at)");
        Map<String, String> settings = Map.of("tables[0].name", "samples", "tables[0].column", "at",
                "tables[0].interval", "day", "tables[0].premake", "3", "lock.at-least-for", "0s");
        Engine engine = Engine.on(database.get(), settings);
        StatsSnapshot snapshot = new StatsSnapshot(engine.properties(), new PartitionStatsReader(
                new JdbcTemplate(database.get().dataSource()),
                new TransactionTemplate(new DataSourceTransactionManager(database.get().dataSource())),
                engine.properties(), Clock.systemUTC()), Clock.systemUTC(), event -> { });
        PartitionsHealthIndicator health = new PartitionsHealthIndicator(engine.properties(), snapshot, engine.status(),
                Clock.systemUTC());

        assertThat(engine.runner().runIfLockFree()).hasValueSatisfying(r -> assertThat(r.converged()).isTrue());
        snapshot.refresh();
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);

        // the partition for four days ahead cannot be made: a plain table has taken its name
        String taken = "samples_y" + LocalDate.now(ZoneOffset.UTC).plusDays(4).format(DateTimeFormatter.ofPattern("yyyy'm'MM'd'dd"));
        database.get().execute("CREATE TABLE " + taken + " (x int)");
        Engine longer = Engine.on(database.get(), Map.of("tables[0].name", "samples", "tables[0].column", "at",
                "tables[0].interval", "day", "tables[0].premake", "4", "lock.at-least-for", "0s"));
        PartitionsHealthIndicator longerHealth = new PartitionsHealthIndicator(longer.properties(), snapshot,
                longer.status(), Clock.systemUTC());
        for (int pass = 1; pass <= 3; pass++) {
            assertThat(longer.runner().runIfLockFree()).hasValueSatisfying(r -> assertThat(r.converged()).isFalse());
            assertThat(longerHealth.health().getStatus()).as("after %d failed passes", pass)
                    .isEqualTo(pass < 3 ? Status.UP : Status.DOWN);
        }
        assertThat(longerHealth.health().getDetails()).containsEntry("consecutiveFailedPasses", 3)
                .hasEntrySatisfying("lastPassError", error -> assertThat((String) error).contains(taken));

        database.get().execute("DROP TABLE " + taken);
        assertThat(longer.runner().runIfLockFree()).hasValueSatisfying(r -> assertThat(r.converged()).isTrue());
        assertThat(longerHealth.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRetirementLeftUnderWayShowsAmongTheTablesDetails() {
        TestProperties.migrate(database.get());
        database.get().execute("""
                CREATE TABLE readings (at timestamptz NOT NULL) PARTITION BY RANGE (at);
                INSERT INTO partwarden.retirement (parent_schema, parent_name, partition_schema, partition_name,
                                                   lower_bound, upper_bound, state)
                VALUES ('public', 'readings', 'public', 'readings_y2020m01', '2020-01-01Z', '2020-02-01Z', 'detached')""");
        Engine engine = Engine.on(database.get(), Map.of("tables[0].name", "readings", "tables[0].column", "at"));
        StatsSnapshot snapshot = new StatsSnapshot(engine.properties(), Engine.statsOn(database.get()), Clock.systemUTC(),
                event -> { });
        snapshot.refresh();

        Map<String, Object> tables = (Map<String, Object>) new PartitionsHealthIndicator(engine.properties(), snapshot,
                engine.status(), Clock.systemUTC()).health().getDetails().get("tables");

        assertThat((Map<String, Object>) tables.get("readings")).containsEntry("retirementsUnderWay", 1L);
    }
}
