package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** State 1: no workflow_events yet. The migration creates it as the spec's Table Structure. */
@VersionSensitive
class AbsentTableMigrationTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @BeforeAll
    static void migrateDatabaseWithWorkflowRunsOnly() {
        database.get().execute("CREATE TABLE workflow_runs (id uuid PRIMARY KEY)");
        TestProperties.migrate(database.get());
    }

    @Test
    void theTableHasTheSpecsColumnsKeyAndPartitioning() {
        var jdbc = database.get().jdbc();
        assertThat(jdbc.queryForList("""
                SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-')
                  FROM information_schema.columns WHERE table_name = 'workflow_events' ORDER BY ordinal_position""",
                String.class)).containsExactly(
                "id bigint NO nextval('workflow_events_id_seq'::regclass)",
                "run_id uuid NO -",
                "ts timestamp with time zone NO now()",
                "type text NO -",
                "payload jsonb NO -",
                "created_at timestamp with time zone NO now()");
        assertThat(jdbc.queryForObject("SELECT pg_get_partkeydef('workflow_events'::regclass)", String.class))
                .isEqualTo("RANGE (ts)");
        assertThat(jdbc.queryForList("""
                SELECT pg_get_constraintdef(oid) FROM pg_constraint
                 WHERE conrelid = 'workflow_events'::regclass AND contype <> 'n' ORDER BY contype""", String.class)).containsExactly(
                "FOREIGN KEY (run_id) REFERENCES workflow_runs(id) ON DELETE CASCADE",
                "PRIMARY KEY (id, ts)");
    }

    @Test
    void fromPostgres18EveryTableOfTheTreeHasOneNotNullConstraintPerNotNullColumnAndBeforeItNone() {
        // 18 records each column's NOT NULL as a constraint (contype n); a partition made LIKE its
        // parent and then attached must end with one per column, merged with the parent's, not two
        String expected = TestDatabase.serverVersion() >= 180000 ? "created_at,id,payload,run_id,ts,type" : "";
        List<Map<String, Object>> tree = database.get().jdbc().queryForList("""
                SELECT t.relid::regclass::text AS rel,
                       coalesce((SELECT string_agg(a.attname, ',' ORDER BY a.attname)
                                   FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                                  WHERE c.conrelid = t.relid AND c.contype = 'n'), '') AS not_null
                  FROM pg_partition_tree('workflow_events') t""");
        assertThat(tree).hasSize(7); // the parent and its six partitions
        assertThat(tree).allSatisfy(row -> assertThat(row.get("not_null")).as(row.get("rel").toString()).isEqualTo(expected));
    }

    @Test
    void partitionsRunFromTwoMonthsBackToThreeAhead() {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        List<String> expected = IntStream.rangeClosed(-2, 3)
                .mapToObj(offset -> MonthlyPartitions.name(now.plusMonths(offset))).toList();
        assertThat(database.get().jdbc().queryForList(
                "SELECT partition_name FROM partwarden.partitions('workflow_events')", String.class))
                .containsExactlyElementsOf(expected);
    }

    @Test
    void withoutWorkflowRunsTheTableIsCreatedWithoutTheForeignKey() {
        try (TestDatabase bare = TestDatabase.create("no_runs")) {
            TestProperties.migrate(bare);
            assertThat(bare.jdbc().queryForList(
                    "SELECT contype::text FROM pg_constraint WHERE conrelid = 'workflow_events'::regclass AND contype <> 'n'",
                    String.class)) // PostgreSQL 18 records NOT NULL as constraints too (contype n); the columns' NOT NULL is checked above
                    .containsExactly("p");
        }
    }

    @Test
    void migratingAgainChangesNothing() {
        var jdbc = database.get().jdbc();
        List<Map<String, Object>> before = jdbc.queryForList("SELECT * FROM partwarden.partitions('workflow_events')");
        assertThat(TestProperties.migrate(database.get()).migrationsExecuted).isZero();
        assertThat(jdbc.queryForList("SELECT * FROM partwarden.partitions('workflow_events')")).isEqualTo(before);
    }
}
