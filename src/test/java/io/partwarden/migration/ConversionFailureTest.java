package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A failure in the middle of the conversion (after the rows are copied, while policies are made
 * again) leaves workflow_events exactly as it was; once the cause is gone the migration succeeds.
 */
@VersionSensitive
class ConversionFailureTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    /** Everything about the table that the failed conversion must not have changed. */
    static final String TABLE_STATE = """
            SELECT c.oid, c.relkind, c.relrowsecurity,
                   (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, run_id, ts, type, payload), ',' ORDER BY id))
                      FROM workflow_events) AS rows,
                   (SELECT string_agg(indexdef, '; ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'workflow_events') AS indexes,
                   (SELECT string_agg(policyname, '; ' ORDER BY policyname) FROM pg_policies WHERE tablename = 'workflow_events') AS policies,
                   (SELECT last_value FROM workflow_events_id_seq) AS sequence_position,
                   c.relacl::text AS grants
              FROM pg_class c WHERE c.oid = 'public.workflow_events'::regclass""";

    @Test
    void aFailureMidConversionLeavesTheTableAsItWasAndARerunSucceeds() {
        var db = database.get();
        JdbcTemplate jdbc = db.jdbc();
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");
        db.execute("""
                CREATE FUNCTION public.inject_failure() RETURNS event_trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'injected failure while recreating policies'; END $$;
                CREATE EVENT TRIGGER inject_failure ON ddl_command_end WHEN TAG IN ('CREATE POLICY')
                  EXECUTE FUNCTION public.inject_failure();""");
        Map<String, Object> before = jdbc.queryForMap(TABLE_STATE);

        assertThatThrownBy(() -> TestProperties.migrate(db))
                .isInstanceOf(FlywayException.class)
                .hasMessageContaining("injected failure while recreating policies");

        assertThat(jdbc.queryForMap(TABLE_STATE)).isEqualTo(before);
        assertThat(jdbc.queryForList("""
                SELECT relname FROM pg_class WHERE relname LIKE 'workflow_events_y%' OR relname LIKE '%pw_old%'""",
                String.class)).isEmpty();

        db.execute("DROP EVENT TRIGGER inject_failure");
        TestProperties.migrate(db);
        assertThat(jdbc.queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass", String.class))
                .isEqualTo("p");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM workflow_events", Long.class)).isEqualTo(10_000L);
        assertThat(jdbc.queryForList("SELECT policyname FROM pg_policies WHERE tablename = 'workflow_events'", String.class))
                .hasSize(4);
    }

    @Test
    void aTableThatCannotBeConvertedIsRefusedNamingWhyAndLeftAlone() {
        try (var db = io.partwarden.testing.TestDatabase.create("refused")) {
            db.runScript("demo/meshhook.sql");
            db.execute("""
                    CREATE VIEW recent_events AS SELECT * FROM workflow_events WHERE ts > now() - interval '1 day';
                    INSERT INTO projects (id, owner, name) VALUES ('a0000000-0000-0000-0000-000000000009', gen_random_uuid(), 'x');""");
            assertThatThrownBy(() -> TestProperties.migrate(db))
                    .hasMessageContaining("cannot convert public.workflow_events: views depend on it: public.recent_events");
            assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass",
                    String.class)).isEqualTo("r");
            assertThat(db.jdbc().queryForList("SELECT viewname FROM pg_views WHERE viewname = 'recent_events'", String.class))
                    .isEqualTo(List.of("recent_events"));
        }
    }
}
