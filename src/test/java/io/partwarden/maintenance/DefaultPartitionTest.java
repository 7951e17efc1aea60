package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.TimedWriter;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A table with a DEFAULT partition: rows it caught move into the partition made for them, and
 * retirement, which PostgreSQL then refuses to run concurrently, detaches plainly under the
 * lock timeout, so writers wait at most that long, even behind a long reader.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@VersionSensitive
class DefaultPartitionTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final Map<String, String> MONTHLY = Map.of(
            "tables[0].name", "readings", "tables[0].column", "at", "tables[0].premake", "2",
            "tables[0].retention", "12m", "tables[0].lock-timeout", "300ms", "tables[0].max-attempts", "3",
            "lock.at-least-for", "0s");

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void createTableWithDefaultPartition() {
        TestProperties.migrate(database.get());
        database.get().execute("""
                CREATE TABLE readings (id bigint NOT NULL, at timestamptz NOT NULL, value numeric) PARTITION BY RANGE (at);
                CREATE INDEX readings_at_idx ON readings (at);
                CREATE TABLE readings_default PARTITION OF readings DEFAULT;
                SELECT partwarden.create_month_partition('readings', now() - interval '2 years');
                INSERT INTO readings SELECT g, now() - interval '2 years', g FROM generate_series(1, 10) g;
                INSERT INTO readings SELECT g, now() + interval '1 month', g FROM generate_series(11, 40) g;
                INSERT INTO readings SELECT g, now() + interval '3 years', g FROM generate_series(41, 45) g;""");
    }

    @Test
    @Order(1)
    void rowsTheDefaultPartitionCaughtMoveIntoTheNewPartitionAndNothingIsLostOrRetiredWrongly() {
        var report = Engine.on(database.get(), Map.of("tables[0].name", "readings", "tables[0].column", "at",
                "tables[0].premake", "2", "lock.at-least-for", "0s")).runner().runIfLockFree().orElseThrow();

        assertThat(report.converged()).isTrue();
        assertThat(jdbc().queryForObject("SELECT count(*) FROM readings", Long.class)).isEqualTo(45L);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM ONLY readings_default", Long.class))
                .as("only the rows no partition covers stay in the default").isEqualTo(5L);
        assertThat(jdbc().queryForObject("""
                SELECT count(*) FROM readings WHERE tableoid::regclass::text LIKE 'readings_y%' AND id BETWEEN 11 AND 40""",
                Long.class)).isEqualTo(30L);
    }

    @Test
    @Order(3)
    void aTableConfiguredToHaveADefaultPartitionGetsOneAndAnotherGetsNone() {
        database.get().execute("""
                CREATE TABLE with_default (at timestamptz NOT NULL) PARTITION BY RANGE (at);
                CREATE TABLE without_default (at timestamptz NOT NULL) PARTITION BY RANGE (at);""");
        var report = Engine.on(database.get(), Map.of("tables[0].name", "with_default", "tables[0].column", "at",
                "tables[0].default-partition", "true", "tables[1].name", "without_default", "tables[1].column", "at",
                "lock.at-least-for", "0s")).runner().runIfLockFree().orElseThrow();

        assertThat(report.converged()).isTrue();
        assertThat(jdbc().queryForList("""
                SELECT partition_name::text FROM partwarden.partitions('with_default') WHERE is_default
                UNION ALL
                SELECT partition_name::text FROM partwarden.partitions('without_default') WHERE is_default""", String.class))
                .containsExactly("with_default_default");
        jdbc().update("INSERT INTO with_default VALUES (now() + interval '10 years')");
    }

    /** Runs after the partitions ahead exist: with a default partition, making one also waits for the reader. */
    @Test
    @Order(2)
    void retirementDetachesPlainlyAndWritersWaitNoLongerThanTheLockTimeoutBehindALongReader() throws Exception {
        TimedWriter writer;
        PassReport report;
        try (Connection reader = database.get().connect()) {
            reader.setAutoCommit(false);
            reader.createStatement().executeQuery("SELECT count(*) FROM readings").close();
            writer = TimedWriter.start(database.get(), "INSERT INTO readings VALUES (?, now(), 0)", 100_000, 60, 50);
            report = Engine.on(database.get(), MONTHLY).runner().runIfLockFree().orElseThrow();
            assertThat(writer.join()).isEqualTo(60);
            reader.rollback();
        }

        assertThat(report.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.action()).contains("plain detach", "readings_default");
            assertThat(failure.error()).startsWith("gave up after 3 attempts").contains("nothing was changed")
                    .as("the action is named once, by the outcome").doesNotContain("readings_default");
        });
        assertThat(jdbc().queryForObject(
                "SELECT count(*) FROM partwarden.partitions('readings') WHERE upper_bound < now() - interval '1 year'",
                Long.class)).as("the old partition is still attached, whole").isEqualTo(1L);
        assertThat(writer.longestMillis()).as("longest insert, ms, with a lock timeout of 300 ms").isLessThan(1_000);

        var retry = Engine.on(database.get(), MONTHLY).runner().runIfLockFree().orElseThrow();
        assertThat(retry.converged()).as("without the reader, the plain detach succeeds").isTrue();
        assertThat(jdbc().queryForObject("SELECT count(*) FROM readings WHERE id BETWEEN 1 AND 10", Long.class)).isZero();
    }
}
