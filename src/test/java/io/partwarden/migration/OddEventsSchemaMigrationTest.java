package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An events schema the validator accepts however odd (mixed case, a space, a semicolon and
 * comment marks, all of which stand inside the migration's strings, names and function bodies):
 * the migration creates the table and the SQL API there, and the service maintains it.
 */
@VersionSensitive
class OddEventsSchemaMigrationTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String SCHEMA = "Events Schema;--/*";
    static final Map<String, String> SETTINGS = Map.of("events-schema", SCHEMA, "lock.at-least-for", "0s");

    @BeforeAll
    static void migrate() {
        database.get().execute("CREATE SCHEMA \"" + SCHEMA + "\"");
        PartwardenProperties properties = TestProperties.partwarden(SETTINGS);
        SchemaMigration.migrate(database.get().dataSource(), properties);
    }

    @Test
    void theTableAndTheSqlApiAreMadeInTheSchemaAsWritten() {
        var jdbc = database.get().jdbc();
        assertThat(jdbc.queryForObject("SELECT pg_get_partkeydef(format('%I.workflow_events', ?::text)::regclass)",
                String.class, SCHEMA)).isEqualTo("RANGE (ts)");
        assertThat(jdbc.queryForList("""
                SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = ? ORDER BY 1""", String.class, SCHEMA)).contains(
                "create_workflow_events_partition", "drop_old_workflow_events_partitions",
                "get_workflow_events_partition_stats", "get_workflow_run_events", "maintain_workflow_events_partitions");

        String nextYear = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).plusMonths(12));
        assertThat(jdbc.queryForObject("SELECT \"" + SCHEMA + "\".create_workflow_events_partition(CURRENT_DATE + interval '12 months')",
                String.class)).isEqualTo(nextYear);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM \"" + SCHEMA + "\".workflow_events_partition_info WHERE partition_name = ?",
                Long.class, nextYear)).isEqualTo(1L);
    }

    @Test
    void theDefaultTableInThatSchemaIsMaintained() {
        Engine engine = Engine.on(database.get(), SETTINGS);
        assertThat(engine.properties().tables()).singleElement().extracting(PartwardenProperties.Table::name)
                .isEqualTo(SCHEMA + ".workflow_events");

        var report = engine.runner().runIfLockFree().orElseThrow();

        assertThat(report.failures()).isEmpty();
    }
}
