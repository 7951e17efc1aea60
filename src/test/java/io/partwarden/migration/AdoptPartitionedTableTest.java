package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * State 3: the spec's own migration ran earlier. The migration adopts the partitioned table
 * without rewriting a row and replaces the functions that no longer work.
 */
@VersionSensitive
class AdoptPartitionedTableTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    /** The files holding the rows: unchanged file nodes mean no row was rewritten. */
    static final String STORAGE = """
            SELECT c.relname, c.relfilenode FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'workflow_events'::regclass ORDER BY c.relname""";
    static final String ROWS = """
            SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, run_id, ts, type, payload), ',' ORDER BY id))
              FROM workflow_events""";

    static List<Map<String, Object>> storageBefore;
    static String rowsBefore;
    static List<Map<String, Object>> storageAfter;
    static String rowsAfter;

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void adoptTheSpecsPartitionedTable() {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        database.get().runScript("fixtures/spec-migration-result.sql");
        assertThatThrownBy(() -> jdbc().queryForObject("SELECT create_workflow_events_partition('2030-01-01'::date)", String.class))
                .as("the spec's function is broken before adoption")
                .rootCause().hasMessageContaining("workflow_events_partitioned");
        storageBefore = jdbc().queryForList(STORAGE);
        rowsBefore = jdbc().queryForObject(ROWS, String.class);
        TestProperties.migrate(database.get());
        storageAfter = jdbc().queryForList(STORAGE);
        rowsAfter = jdbc().queryForObject(ROWS, String.class);
    }

    @Test
    void noRowIsRewritten() {
        assertThat(rowsAfter).isEqualTo(rowsBefore).startsWith("5000:");
        assertThat(storageAfter).isEqualTo(storageBefore);
    }

    @Test
    void theSpecsIndexesAreDeclaredOnTheParentByAttachingThoseOfThePartitions() {
        assertThat(jdbc().queryForList("""
                SELECT indexname FROM pg_indexes WHERE tablename = 'workflow_events' ORDER BY indexname""", String.class))
                .containsExactly("idx_workflow_events_run_id", "idx_workflow_events_run_ts", "idx_workflow_events_type",
                        "workflow_events_partitioned_pkey");
        assertThat(jdbc().queryForObject("""
                SELECT max(n) FROM (SELECT count(*) AS n FROM pg_indexes WHERE tablename LIKE 'workflow_events_y%'
                                     GROUP BY tablename) per_partition""", Long.class))
                .as("no partition got a second copy of an index").isEqualTo(4L);
    }

    @Test
    void theReplacedFunctionsWork() {
        assertThat(jdbc().queryForObject("SELECT create_workflow_events_partition('2030-01-01'::date)", String.class))
                .isEqualTo("workflow_events_y2030m01");
        jdbc().queryForList("SELECT maintain_workflow_events_partitions()");
        assertThat(jdbc().queryForList("SELECT * FROM drop_old_workflow_events_partitions(1)", String.class))
                .containsExactly(MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).minusMonths(2)));
        assertThat(jdbc().queryForObject("SELECT sum(row_count) FROM get_workflow_events_partition_stats()", Long.class))
                .isEqualTo(jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class));
        assertThat(jdbc().queryForObject(
                "SELECT count(*) FROM workflow_events_partition_info WHERE row_count_estimate IN (-1, 1)", Long.class)).isZero();
    }

    @Test
    void existingPartitionsGetTheParentsGrantsSinceItHasNoRowSecurityToBypass() {
        assertThat(jdbc().queryForObject("SELECT relrowsecurity FROM pg_class WHERE oid = 'workflow_events'::regclass",
                Boolean.class)).isFalse();
        assertThat(jdbc().queryForList("""
                SELECT c.relname FROM partwarden.partitions('workflow_events') p JOIN pg_class c ON c.oid = p.partition
                 WHERE c.relacl IS DISTINCT FROM (SELECT relacl FROM pg_class WHERE oid = 'workflow_events'::regclass)""",
                String.class)).isEmpty();
    }
}
