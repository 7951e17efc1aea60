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

/** The spec's SQL API and its examples, run as written, on a MeshHook database after conversion. */
@VersionSensitive
class SqlApiTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void convertMeshHookDatabase(org.junit.jupiter.api.TestInfo test) {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        if (test.getTestClass().orElseThrow() == OnlineSqlApiTest.class) {
            SchemaMigration.migrate(database.get().dataSource(),
                    TestProperties.partwarden(java.util.Map.of("migration.conversion", "online")));
            org.assertj.core.api.Assertions.assertThat(io.partwarden.testing.Commands.run(database.get(), "--once")).isZero();
            // finished, as an operator leaves it once satisfied: retention applies again
            org.assertj.core.api.Assertions.assertThat(
                    io.partwarden.testing.Commands.run(database.get(), "--finish-conversion")).isZero();
        } else {
            TestProperties.migrate(database.get());
        }
    }

    @Test
    void createPartitionMakesTheMonthWithItsThreeIndexesAndIsIdempotent() {
        assertThat(jdbc().queryForObject("SELECT create_workflow_events_partition('2030-06-17'::date)", String.class))
                .isEqualTo("workflow_events_y2030m06");
        assertThat(jdbc().queryForObject("SELECT create_workflow_events_partition('2030-06-01'::date)", String.class))
                .isEqualTo("workflow_events_y2030m06");
        assertThat(jdbc().queryForList("""
                SELECT indexname FROM pg_indexes WHERE tablename = 'workflow_events_y2030m06' ORDER BY indexname""",
                String.class)).containsExactly("workflow_events_y2030m06_pkey", "workflow_events_y2030m06_run_id_idx",
                "workflow_events_y2030m06_run_ts_idx", "workflow_events_y2030m06_type_idx");
        assertThat(jdbc().queryForMap("""
                SELECT lower_bound::text AS lower, upper_bound::text AS upper FROM partwarden.partitions('workflow_events')
                 WHERE partition_name = 'workflow_events_y2030m06'""")).isEqualTo(Map.of(
                "lower", "2030-06-01 00:00:00+00", "upper", "2030-07-01 00:00:00+00"));
    }

    @Test
    void boundsAreUtcMidnightWhateverTheSessionTimeZone() {
        database.get().execute("""
                SET TimeZone = 'Asia/Tokyo';
                SELECT create_workflow_events_partition('2031-01-01'::date);""");
        assertThat(jdbc().queryForObject("""
                SELECT lower_bound = '2031-01-01 00:00:00+00' AND upper_bound = '2031-02-01 00:00:00+00'
                  FROM partwarden.partitions('workflow_events') WHERE partition_name = 'workflow_events_y2031m01'""",
                Boolean.class)).isTrue();
    }

    @Test
    void theSpecsTimestampExampleForMissingFuturePartitionsWorks() {
        String name = jdbc().queryForObject(
                "SELECT create_workflow_events_partition(CURRENT_DATE + interval '1 month')", String.class);
        YearMonth next = YearMonth.now(ZoneOffset.UTC).plusMonths(1);
        assertThat(name).isEqualTo(MonthlyPartitions.name(next));
    }

    @Test
    void maintainMakesTheCurrentMonthAndTheNextThree() {
        jdbc().queryForList("SELECT maintain_workflow_events_partitions()");
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        List<String> names = jdbc().queryForList(
                "SELECT partition_name::text FROM partwarden.partitions('workflow_events')", String.class);
        for (int ahead = 0; ahead <= 3; ahead++) {
            assertThat(names).contains(MonthlyPartitions.name(now.plusMonths(ahead)));
        }
    }

    @Test
    void dropOldDropsOnlyPartitionsWhollyOlderThanTheRetentionAndNamesThem() {
        database.get().execute("""
                SELECT create_workflow_events_partition(now() - interval '30 months');
                SELECT create_workflow_events_partition(now() - interval '29 months');""");
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        List<String> dropped = jdbc().queryForList("SELECT * FROM drop_old_workflow_events_partitions(24)", String.class);
        assertThat(dropped).containsExactly(MonthlyPartitions.name(now.minusMonths(30)),
                MonthlyPartitions.name(now.minusMonths(29)));
        assertThat(jdbc().queryForList("SELECT * FROM drop_old_workflow_events_partitions()", String.class)).isEmpty();
        assertThat(jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class)).isEqualTo(10_000L);
    }

    @Test
    void dropOldRefusesARetentionBelowOneMonth() {
        assertThatThrownBy(() -> jdbc().queryForList("SELECT * FROM drop_old_workflow_events_partitions(0)"))
                .hasMessageContaining("retention_months must be a whole number of months, 1 or more; got 0");
    }

    @Test
    void statsGiveExactRowCountsAndBoundsPerPartition() {
        List<Map<String, Object>> stats = jdbc().queryForList("SELECT * FROM get_workflow_events_partition_stats()");
        assertThat(stats).first().extracting(Map::keySet).asString()
                .isEqualTo("[partition_name, start_date, end_date, row_count, size_bytes, size_pretty]");
        long total = stats.stream().mapToLong(row -> (Long) row.get("row_count")).sum();
        assertThat(total).isEqualTo(10_000L);
        assertThat(jdbc().queryForObject("""
                SELECT count(*) FROM get_workflow_events_partition_stats() s
                 WHERE s.row_count <> (SELECT count(*) FROM workflow_events e
                                        WHERE e.ts >= s.start_date::timestamp AT TIME ZONE 'UTC'
                                          AND e.ts < s.end_date::timestamp AT TIME ZONE 'UTC')""", Long.class)).isZero();
    }

    @Test
    void statsCountExactlyWhereTheLastAnalyzeIsStale() {
        database.get().execute("""
                SELECT create_workflow_events_partition('2033-05-01'::date);
                INSERT INTO workflow_events (run_id, ts, type, payload)
                SELECT 'c0000000-0000-0000-0000-000000000011', '2033-05-02'::timestamptz + make_interval(secs => g), 'x', '{}'
                  FROM generate_series(1, 40) g;
                ANALYZE workflow_events_y2033m05;
                INSERT INTO workflow_events (run_id, ts, type, payload)
                SELECT 'c0000000-0000-0000-0000-000000000011', '2033-05-03'::timestamptz + make_interval(secs => g), 'x', '{}'
                  FROM generate_series(1, 9) g;""");
        try {
            assertThat(jdbc().queryForObject("SELECT reltuples FROM pg_class WHERE relname = 'workflow_events_y2033m05'",
                    Float.class)).as("the estimate, stale").isEqualTo(40f);
            assertThat(jdbc().queryForObject("SELECT row_count FROM get_workflow_events_partition_stats()"
                    + " WHERE partition_name = 'workflow_events_y2033m05'", Long.class)).isEqualTo(49L);
            assertThat(jdbc().queryForObject("SELECT row_count_estimate FROM workflow_events_partition_info"
                    + " WHERE partition_name = 'workflow_events_y2033m05'", Long.class)).as("the view's estimate").isEqualTo(40L);
        } finally {
            database.get().execute("DROP TABLE workflow_events_y2033m05"); // the other tests count every row
        }
    }

    @Test
    void theInfoViewNeverShowsMinusOneOrOneForANeverAnalyzedPartition() {
        database.get().execute("""
                SELECT create_workflow_events_partition('2032-03-01'::date);
                INSERT INTO workflow_events (run_id, ts, type, payload)
                SELECT 'c0000000-0000-0000-0000-000000000011', '2032-03-02'::timestamptz + make_interval(secs => g), 'x', '{}'
                  FROM generate_series(1, 7) g;""");
        assertThat(jdbc().queryForObject("""
                SELECT c.reltuples FROM pg_class c WHERE c.relname = 'workflow_events_y2032m03'""", Float.class))
                .isEqualTo(-1f);
        assertThat(jdbc().queryForMap("""
                SELECT schemaname, size IS NOT NULL AS has_size, row_count_estimate
                  FROM workflow_events_partition_info WHERE partition_name = 'workflow_events_y2032m03'"""))
                .isEqualTo(Map.of("schemaname", "public", "has_size", true, "row_count_estimate", 7L));
    }

    @Test
    void runEventsFilterByRunAndOptionalRange() {
        long all = jdbc().queryForObject("""
                SELECT count(*) FROM get_workflow_run_events('c0000000-0000-0000-0000-000000000011'::uuid)""", Long.class);
        long recent = jdbc().queryForObject("""
                SELECT count(*) FROM get_workflow_run_events('c0000000-0000-0000-0000-000000000011'::uuid,
                                                             now() - interval '30 days', now())""", Long.class);
        assertThat(all).isEqualTo(jdbc().queryForObject(
                "SELECT count(*) FROM workflow_events WHERE run_id = 'c0000000-0000-0000-0000-000000000011'", Long.class));
        assertThat(recent).isPositive().isLessThan(all);
    }

    @Test
    void theSpecsHealthQueryAndQuarterlyAnalyzeLoopWorkAsWritten() {
        List<Map<String, Object>> health = jdbc().queryForList("""
                SELECT
                  tablename,
                  pg_get_expr(c.relpartbound, c.oid) as bounds
                FROM pg_tables t
                JOIN pg_class c ON c.relname = t.tablename
                WHERE schemaname = 'public'
                  AND tablename LIKE 'workflow_events_y%'
                ORDER BY tablename;""");
        assertThat(health).isNotEmpty().allSatisfy(row -> assertThat((String) row.get("bounds")).startsWith("FOR VALUES FROM"));
        database.get().execute("""
                DO $$
                DECLARE
                  partition_name text;
                BEGIN
                  FOR partition_name IN
                    SELECT tablename FROM pg_tables
                    WHERE schemaname = 'public'
                    AND tablename LIKE 'workflow_events_y%'
                  LOOP
                    EXECUTE 'ANALYZE ' || partition_name;
                  END LOOP;
                END $$;""");
        assertThat(jdbc().queryForObject("""
                SELECT count(*) FROM pg_class WHERE relname LIKE 'workflow_events_y%' AND relkind = 'r' AND reltuples < 0""",
                Long.class)).isZero();
    }

    @Test
    void partitionsMadeThroughTheSqlApiAreClosedToTenantsToo() {
        jdbc().queryForObject("SELECT create_workflow_events_partition('2033-01-01'::date)", String.class);
        assertThatThrownBy(() -> io.partwarden.testing.Tenant.ONE.ids(database.get(), "SELECT id FROM workflow_events_y2033m01"))
                .hasMessageContaining("permission denied");
    }
}
