package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.Tenant;
import io.partwarden.testing.TestDatabase;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * State 2: the plain workflow_events MeshHook ships, with row level security and its four
 * policies, converted. Facts are read before and after and compared; each subclass converts
 * in its own way ({@link #convert}) in a database of its own, and every fact must hold for each.
 * One instance per class, so the facts read before are that class's own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConversionFactsContract {

    static final String ROW_CHECKSUM = """
            SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, run_id, ts, type, payload, created_at), ',' ORDER BY id))
              FROM workflow_events""";
    static final String POLICIES = """
            SELECT policyname, permissive, roles::text, cmd, qual, with_check,
                   obj_description(p.oid, 'pg_policy') AS comment
              FROM pg_policies JOIN pg_policy p ON p.polname = policyname AND p.polrelid = 'workflow_events'::regclass
             WHERE tablename = 'workflow_events' ORDER BY policyname""";
    static final String TABLE_GRANTS = """
            SELECT grantee, privilege_type, is_grantable FROM information_schema.role_table_grants
             WHERE table_schema = 'public' AND table_name = 'workflow_events' ORDER BY 1, 2""";
    static final String COLUMN_GRANTS = """
            SELECT grantee, column_name, privilege_type FROM information_schema.column_privileges
             WHERE table_schema = 'public' AND table_name = 'workflow_events' AND grantee = ? ORDER BY 1, 2, 3""";
    static final String COLUMNS = """
            SELECT column_name, data_type, is_nullable, column_default, col_description('workflow_events'::regclass, ordinal_position) AS comment
              FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'workflow_events' ORDER BY ordinal_position""";
    static final String TABLE_FLAGS = """
            SELECT relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) AS owner,
                   obj_description(oid, 'pg_class') AS comment
              FROM pg_class WHERE oid = 'workflow_events'::regclass""";
    static final String FOREIGN_KEYS = """
            SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
             WHERE conrelid = 'workflow_events'::regclass AND contype = 'f' ORDER BY conname""";
    static final String TENANT_EVENTS = "SELECT id FROM workflow_events ORDER BY id";

    static final String OLD_EVENT_TS = "now() - interval '400 days'";
    /**
     * A role holding column grants, which the conversion must keep: the server's, so its own name,
     * dropped after. Each class makes it and drops it; classes of one JVM run one after another.
     */
    static final String AUDITOR = ("pw_auditor_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24))).toLowerCase(Locale.ROOT);

    Map<String, Object> flagsBefore;
    List<Map<String, Object>> policiesBefore;
    List<Map<String, Object>> grantsBefore;
    List<Map<String, Object>> columnGrantsBefore;
    List<Map<String, Object>> columnsBefore;
    List<Map<String, Object>> foreignKeysBefore;
    String rowsBefore;
    long maxIdBefore;
    List<Long> tenantOneBefore;
    List<Long> tenantTwoBefore;

    /** The subclass's own database: {@code @RegisterExtension static final FreshDatabase} in it. */
    abstract TestDatabase db();

    /** Converts the plain MeshHook table the facts were read from. */
    abstract void convert() throws Exception;

    JdbcTemplate jdbc() {
        return db().jdbc();
    }

    @BeforeAll
    void convertMeshHookDatabase() throws Exception {
        db().runScript("demo/meshhook.sql");
        db().runScript("demo/meshhook-events.sql");
        db().execute("""
                INSERT INTO workflow_events (run_id, ts, type, payload)
                VALUES ('c0000000-0000-0000-0000-000000000011', %s, 'node.ancient', '{}');
                CREATE INDEX workflow_events_payload_seq_idx ON workflow_events ((payload ->> 'seq'));
                ALTER TABLE workflow_events FORCE ROW LEVEL SECURITY;
                CREATE ROLE %2$s NOLOGIN;
                GRANT SELECT (id, ts, type) ON workflow_events TO %2$s;
                """.formatted(OLD_EVENT_TS, AUDITOR));

        flagsBefore = jdbc().queryForMap(TABLE_FLAGS);
        policiesBefore = jdbc().queryForList(POLICIES);
        grantsBefore = jdbc().queryForList(TABLE_GRANTS);
        columnGrantsBefore = jdbc().queryForList(COLUMN_GRANTS, AUDITOR);
        columnsBefore = jdbc().queryForList(COLUMNS);
        foreignKeysBefore = jdbc().queryForList(FOREIGN_KEYS);
        rowsBefore = jdbc().queryForObject(ROW_CHECKSUM, String.class);
        maxIdBefore = jdbc().queryForObject("SELECT max(id) FROM workflow_events", Long.class);
        tenantOneBefore = Tenant.ONE.ids(db(), TENANT_EVENTS);
        tenantTwoBefore = Tenant.TWO.ids(db(), TENANT_EVENTS);

        convert();
    }

    @AfterAll
    void dropTheAuditor() {
        db().execute("DROP OWNED BY " + AUDITOR + "; DROP ROLE " + AUDITOR);
    }

    @Test
    void theTableIsPartitionedByRangeOnTs() {
        assertThat(jdbc().queryForObject(
                "SELECT pg_get_partkeydef('workflow_events'::regclass)", String.class)).isEqualTo("RANGE (ts)");
        assertThat(jdbc().queryForObject(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'workflow_events'::regclass AND contype = 'p'",
                String.class)).isEqualTo("PRIMARY KEY (id, ts)");
    }

    @Test
    void everyRowIsKeptWithItsIdAndValues() {
        assertThat(jdbc().queryForObject(ROW_CHECKSUM, String.class)).isEqualTo(rowsBefore).startsWith("10001:");
    }

    @Test
    void partitionsStartAtTheOldestRowsMonthAndRunThreeMonthsAhead() {
        List<String> names = jdbc().queryForList(
                "SELECT partition_name FROM partwarden.partitions('workflow_events') ORDER BY lower_bound", String.class);
        YearMonth oldest = YearMonth.from(jdbc().queryForObject(
                "SELECT (" + OLD_EVENT_TS + ")::timestamptz AT TIME ZONE 'UTC'", java.time.LocalDateTime.class));
        YearMonth newest = YearMonth.from(LocalDate.now(ZoneOffset.UTC)).plusMonths(3);
        assertThat(names.get(0)).isEqualTo(MonthlyPartitions.name(oldest));
        assertThat(names.get(names.size() - 1)).isEqualTo(MonthlyPartitions.name(newest));
        assertThat(names).hasSize((int) oldest.until(newest, java.time.temporal.ChronoUnit.MONTHS) + 1);
    }

    @Test
    void newInsertsContinueTheIdSequenceWhichStaysOwnedByTheColumn() {
        Long id = jdbc().queryForObject("""
                INSERT INTO workflow_events (run_id, type, payload)
                VALUES ('c0000000-0000-0000-0000-000000000011', 'node.after', '{}') RETURNING id""", Long.class);
        assertThat(id).isGreaterThan(maxIdBefore);
        assertThat(jdbc().queryForObject("SELECT pg_get_serial_sequence('workflow_events', 'id')", String.class))
                .isEqualTo("public.workflow_events_id_seq");
        jdbc().update("DELETE FROM workflow_events WHERE id = ?", id);
    }

    @Test
    void columnsKeepTheirTypesDefaultsAndComments() {
        assertThat(jdbc().queryForList(COLUMNS)).isEqualTo(columnsBefore);
    }

    @Test
    void ownerCommentAndRowSecurityFlagsAreKept() {
        assertThat(jdbc().queryForMap(TABLE_FLAGS)).isEqualTo(flagsBefore);
        assertThat(flagsBefore).containsEntry("relrowsecurity", true).containsEntry("relforcerowsecurity", true);
    }

    @Test
    void everyPolicyIsKeptWithItsExpressionsAndComment() {
        assertThat(policiesBefore).hasSize(4);
        assertThat(jdbc().queryForList(POLICIES)).isEqualTo(policiesBefore);
    }

    @Test
    void tableAndColumnGrantsAreKept() {
        assertThat(grantsBefore).isNotEmpty();
        assertThat(jdbc().queryForList(TABLE_GRANTS)).isEqualTo(grantsBefore);
        assertThat(columnGrantsBefore).hasSize(3);
        assertThat(jdbc().queryForList(COLUMN_GRANTS, AUDITOR)).isEqualTo(columnGrantsBefore);
    }

    @Test
    void theForeignKeyToWorkflowRunsIsKeptAndCascades() {
        assertThat(jdbc().queryForList(FOREIGN_KEYS)).isEqualTo(foreignKeysBefore).hasSize(1);
        // in a transaction that is rolled back, so the other tests keep the run
        db().execute("""
                BEGIN;
                DELETE FROM workflow_runs WHERE id = 'c0000000-0000-0000-0000-000000000025';
                DO $$ BEGIN
                  IF EXISTS (SELECT 1 FROM workflow_events WHERE run_id = 'c0000000-0000-0000-0000-000000000025') THEN
                    RAISE EXCEPTION 'events of a deleted run survived';
                  END IF;
                END $$;
                ROLLBACK;""");
    }

    @Test
    void anOperatorsExtraIndexIsKeptOnTheParentAndEveryPartition() {
        assertThat(jdbc().queryForObject("SELECT pg_get_indexdef('workflow_events_payload_seq_idx'::regclass)", String.class))
                .isEqualTo("CREATE INDEX workflow_events_payload_seq_idx ON ONLY public.workflow_events USING btree (((payload ->> 'seq'::text)))");
        assertThat(jdbc().queryForObject("""
                SELECT count(*) FROM partwarden.partitions('workflow_events') p
                 WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid
                                    WHERE i.inhparent = 'workflow_events_payload_seq_idx'::regclass AND x.indrelid = p.partition)""",
                Integer.class)).isZero();
    }

    @Test
    void everyPartitionHasTheSpecsThreeIndexesUnderTheSpecsNames() {
        assertThat(jdbc().queryForList("""
                SELECT p.partition_name FROM partwarden.partitions('workflow_events') p
                 WHERE (SELECT count(*) FROM pg_class i WHERE i.relname IN (p.partition_name || '_run_id_idx',
                        p.partition_name || '_run_ts_idx', p.partition_name || '_type_idx')) <> 3""", String.class)).isEmpty();
    }

    @Test
    void eachTenantSeesExactlyItsOwnEventsBeforeAndAfter() throws Exception {
        assertThat(tenantOneBefore).hasSize(5001);
        assertThat(tenantTwoBefore).hasSize(5000);
        assertThat(Tenant.ONE.ids(db(), TENANT_EVENTS)).isEqualTo(tenantOneBefore);
        assertThat(Tenant.TWO.ids(db(), TENANT_EVENTS)).isEqualTo(tenantTwoBefore);
    }

    @Test
    void aTenantCannotReadAPartitionByName() {
        String partition = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC));
        assertThatThrownBy(() -> Tenant.ONE.ids(db(), "SELECT id FROM " + partition))
                .hasMessageContaining("permission denied for table " + partition);
    }

    @Test
    void aTenantGrantedAPartitionByMistakeStillSeesNoRowsThroughIt() throws Exception {
        String partition = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC));
        jdbc().execute("GRANT SELECT ON " + partition + " TO authenticated");
        try {
            assertThat(jdbc().queryForObject("SELECT count(*) FROM " + partition, Long.class)).isPositive();
            assertThat(Tenant.ONE.ids(db(), "SELECT id FROM " + partition)).isEmpty();
        } finally {
            jdbc().execute("REVOKE SELECT ON " + partition + " FROM authenticated");
        }
    }

    @Test
    void partitionsBelongToTheParentsOwner() {
        assertThat(jdbc().queryForList("""
                SELECT DISTINCT pg_get_userbyid(c.relowner) FROM partwarden.partitions('workflow_events') p
                  JOIN pg_class c ON c.oid = p.partition""", String.class)).containsExactly((String) flagsBefore.get("owner"));
    }

    @Test
    void noTemporaryTableIsLeftBehind() {
        assertThat(jdbc().queryForList("SELECT relname FROM pg_class WHERE relname LIKE '%pw_old%'", String.class)).isEmpty();
    }
}
