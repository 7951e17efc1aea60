package io.partwarden.conversion;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.migration.SchemaMigration;
import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The operator's way back and forward, in order on one MeshHook database: converted online;
 * written to after the cut-over; rolled back (the plain table returns with every change made
 * since, under its names, with its access and triggers); not converted again by --once; converted
 * again by --convert; finished (the kept table and the capture gone for good).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@VersionSensitive
class OnlineRollbackTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String ROWS = """
            SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, run_id, ts, type, payload, created_at), ',' ORDER BY id))
              FROM workflow_events""";
    static final String INDEXES = "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'workflow_events'"
            + " ORDER BY 1";
    static final String POLICIES = "SELECT policyname, cmd, qual, with_check FROM pg_policies WHERE tablename = 'workflow_events'"
            + " ORDER BY 1";
    static final String GRANTS = "SELECT grantee, privilege_type FROM information_schema.role_table_grants"
            + " WHERE table_schema = 'public' AND table_name = 'workflow_events' ORDER BY 1, 2";
    static final String TRIGGERS = "SELECT tgname, tgenabled::text FROM pg_trigger WHERE tgrelid = 'workflow_events'::regclass"
            + " AND NOT tgisinternal ORDER BY 1";
    static final String RELKIND = "SELECT relkind::text FROM pg_class WHERE oid = 'public.workflow_events'::regclass";
    static final String LEFT_BEHIND = """
            SELECT string_agg(n.nspname || '.' || c.relname, ', ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND (c.relname LIKE 'workflow_events_%' OR (n.nspname = 'partwarden' AND c.relname LIKE 'workflow_events%'))""";
    static final String CAPTURE_FUNCTIONS = "SELECT count(*) FROM pg_proc WHERE proname LIKE 'conversion_capture_%'";
    static final String RUN = "c0000000-0000-0000-0000-000000000025";

    static List<Map<String, Object>> indexesBefore;
    static List<Map<String, Object>> policiesBefore;
    static List<Map<String, Object>> grantsBefore;
    static List<Map<String, Object>> triggersBefore;
    static String rowsAtRollback;
    static long maxIdAtRollback;

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    static int run(String... args) {
        return Commands.run(database.get(), args);
    }

    @Test
    @Order(1)
    void aMeshHookDatabaseIsConvertedOnline() {
        TestDatabase db = database.get();
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");
        db.execute("""
                CREATE FUNCTION public.touch_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
                CREATE TRIGGER touch_before BEFORE INSERT ON workflow_events FOR EACH ROW EXECUTE FUNCTION public.touch_event();
                CREATE TRIGGER touch_replica BEFORE UPDATE ON workflow_events FOR EACH ROW EXECUTE FUNCTION public.touch_event();
                ALTER TABLE workflow_events ENABLE REPLICA TRIGGER touch_replica;""");
        indexesBefore = jdbc().queryForList(INDEXES);
        policiesBefore = jdbc().queryForList(POLICIES);
        grantsBefore = jdbc().queryForList(GRANTS);
        triggersBefore = jdbc().queryForList(TRIGGERS);
        SchemaMigration.migrate(db.dataSource(), TestProperties.partwarden(Map.of("migration.conversion", "online")));
        assertThat(run("--once")).isZero();
        assertThat(jdbc().queryForObject(RELKIND, String.class)).isEqualTo("p");
        assertThat(jdbc().queryForList(TRIGGERS)).containsAll(triggersBefore);
    }

    @Test
    @Order(2)
    void writesAfterTheCutOverAreCarriedBackByTheRollback() {
        jdbc().update("INSERT INTO workflow_events (run_id, type, payload) VALUES (?::uuid, 'after.cutover', '{}')",
                "c0000000-0000-0000-0000-000000000011");
        jdbc().update("UPDATE workflow_events SET ts = ts - interval '40 days', payload = '{\"moved\": true}'"
                + " WHERE id = (SELECT min(id) FROM workflow_events WHERE ts > now() - interval '30 days')");
        jdbc().update("DELETE FROM workflow_runs WHERE id = ?::uuid", RUN);
        rowsAtRollback = jdbc().queryForObject(ROWS, String.class);
        maxIdAtRollback = jdbc().queryForObject("SELECT max(id) FROM workflow_events", Long.class);

        assertThat(run("--rollback-conversion")).isZero();

        assertThat(jdbc().queryForObject(RELKIND, String.class)).isEqualTo("r");
        assertThat(jdbc().queryForObject(ROWS, String.class)).isEqualTo(rowsAtRollback);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM workflow_events WHERE run_id = ?::uuid", Long.class, RUN)).isZero();
    }

    @Test
    @Order(3)
    void theRolledBackTableHasItsNamesAccessTriggersSequenceAndFunctionsAgain() {
        assertThat(jdbc().queryForList(INDEXES)).isEqualTo(indexesBefore);
        assertThat(jdbc().queryForList(POLICIES)).isEqualTo(policiesBefore);
        assertThat(jdbc().queryForList(GRANTS)).isEqualTo(grantsBefore);
        assertThat(jdbc().queryForList(TRIGGERS)).isEqualTo(triggersBefore);
        assertThat(jdbc().queryForObject("SELECT pg_get_serial_sequence('workflow_events', 'id')", String.class))
                .isEqualTo("public.workflow_events_id_seq");
        Long id = jdbc().queryForObject("INSERT INTO workflow_events (run_id, type, payload)"
                + " VALUES ('c0000000-0000-0000-0000-000000000011', 'after.rollback', '{}') RETURNING id", Long.class);
        assertThat(id).isGreaterThan(maxIdAtRollback);
        jdbc().update("DELETE FROM workflow_events WHERE id = ?", id);
        assertThat(jdbc().queryForList("""
                SELECT DISTINCT d.refobjid::regclass::text FROM pg_depend d
                 WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_class'::regclass
                   AND d.objid = 'public.get_workflow_run_events(uuid, timestamptz, timestamptz)'::regprocedure""",
                String.class)).containsExactly("workflow_events");
        assertThat(jdbc().queryForObject(LEFT_BEHIND, String.class)).isNull();
        assertThat(jdbc().queryForObject(CAPTURE_FUNCTIONS, Long.class)).isZero();
        assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.conversion_change", Long.class)).isZero();
        assertThat(jdbc().queryForObject("SELECT phase FROM partwarden.conversion ORDER BY id DESC LIMIT 1", String.class))
                .isEqualTo("rolled_back");
    }

    @Test
    @Order(4)
    void onceDoesNotConvertARolledBackTableAgainAndSaysHowTo() {
        assertThat(run("--once")).isEqualTo(1);
        assertThat(jdbc().queryForObject(RELKIND, String.class)).isEqualTo("r");
        assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.conversion", Long.class)).isOne();
    }

    @Test
    @Order(5)
    void convertStartsItAgainAndFinishDropsTheKeptTable() {
        String rows = jdbc().queryForObject(ROWS, String.class);
        assertThat(run("--convert")).isZero();
        assertThat(jdbc().queryForObject(RELKIND, String.class)).isEqualTo("p");
        assertThat(jdbc().queryForObject(ROWS, String.class)).isEqualTo(rows);

        assertThat(run("--finish-conversion")).isZero();
        assertThat(jdbc().queryForObject("SELECT phase FROM partwarden.conversion ORDER BY id DESC LIMIT 1", String.class))
                .isEqualTo("finished");
        assertThat(jdbc().queryForObject(LEFT_BEHIND, String.class)).isNull();
        assertThat(jdbc().queryForObject(CAPTURE_FUNCTIONS, Long.class)).isZero();
        assertThat(jdbc().queryForList(TRIGGERS)).isEqualTo(triggersBefore);
        assertThat(run("--finish-conversion")).as("nothing left to finish").isEqualTo(1);
    }

    @Test
    @Order(6)
    void aFinishedConversionCannotBeRolledBack() {
        assertThat(run("--rollback-conversion")).isEqualTo(1);
        assertThat(jdbc().queryForObject(RELKIND, String.class)).isEqualTo("p");
    }
}
