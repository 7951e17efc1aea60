package io.partwarden.ddl;

import io.partwarden.step.StepRunner;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code DETACH ... CONCURRENTLY} refused because another partition of the table is already
 * detach-pending (left so since the catalog was read): said in Partwarden's words, naming the
 * pending partition, not as PostgreSQL's hint to FINALIZE.
 */
@VersionSensitive
class ConcurrentDetachTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final TableName TABLE = new TableName("public", "events");
    static final PartwardenProperties.Table CONFIG = TestProperties.partwarden(Map.of(
            "tables[0].name", "events", "tables[0].lock-timeout", "200ms", "tables[0].max-attempts", "2")).tables().get(0);

    @BeforeAll
    static void createTableWithADetachLeftPending() throws SQLException {
        TestProperties.migrate(database.get());
        database.get().execute("""
                CREATE TABLE events (ts timestamptz NOT NULL) PARTITION BY RANGE (ts);
                CREATE TABLE events_y2020m01 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2020-02-01');
                CREATE TABLE events_y2020m02 PARTITION OF events FOR VALUES FROM ('2020-02-01') TO ('2020-03-01');""");
        try (Connection reader = database.get().connect(); Connection detacher = database.get().connect()) {
            reader.setAutoCommit(false);
            reader.createStatement().executeQuery("SELECT count(*) FROM events").close();
            detacher.createStatement().execute("SET lock_timeout = '200ms'");
            try {
                detacher.createStatement().execute("ALTER TABLE events DETACH PARTITION events_y2020m01 CONCURRENTLY");
            } catch (SQLException timedOut) {
                assertThat(timedOut.getSQLState()).isEqualTo("55P03");
            }
            reader.rollback();
        }
    }

    @Test
    void aDetachRefusedForAnotherPendingOneNamesItInsteadOfPostgresHint() {
        Partition february = new PartitionCatalog(database.get().jdbc()).read(TABLE).ranged().stream()
                .filter(p -> p.name().equals("events_y2020m02")).findFirst().orElseThrow();

        StepRunner runner = new StepRunner(database.get().jdbc(),
                new TransactionTemplate(new DataSourceTransactionManager(database.get().dataSource())));
        assertThatThrownBy(() -> runner.run(new ConcurrentDetach(database.get().jdbc(), runner).concurrently(TABLE, february, CONFIG)))
                .isInstanceOf(ConcurrentDetach.WaitsForPendingDetach.class)
                .hasMessage("public.events_y2020m02 waits for the pending detach of public.events_y2020m01:"
                        + " PostgreSQL allows one per table, and the next pass finishes that one first")
                .extracting(e -> ((ConcurrentDetach.WaitsForPendingDetach) e).pending()).isEqualTo("public.events_y2020m01");
        assertThat(database.get().jdbc().queryForObject(
                "SELECT count(*) FROM pg_inherits WHERE inhrelid = 'events_y2020m02'::regclass AND NOT inhdetachpending",
                Long.class)).as("still attached").isEqualTo(1L);
    }
}
