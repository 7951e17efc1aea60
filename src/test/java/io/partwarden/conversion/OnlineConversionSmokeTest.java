package io.partwarden.conversion;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The migration leaves workflow_events plain for the online method; --once converts it. */
@VersionSensitive
class OnlineConversionSmokeTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String ROW_CHECKSUM = """
            SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, run_id, ts, type, payload, created_at), ',' ORDER BY id))
              FROM workflow_events""";

    @Test
    void onceConvertsAPlainTableOnlineKeepingEveryRow() {
        TestDatabase db = database.get();
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");
        io.partwarden.migration.SchemaMigration.migrate(db.dataSource(),
                TestProperties.partwarden(java.util.Map.of("migration.conversion", "online")));
        String before = db.jdbc().queryForObject(ROW_CHECKSUM, String.class);
        assertThat(Commands.run(db, "--once", "--partwarden.migration.online.batch-rows=700")).isZero();
        assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass",
                String.class)).isEqualTo("p");
        assertThat(db.jdbc().queryForObject(ROW_CHECKSUM, String.class)).isEqualTo(before);
        assertThat(db.jdbc().queryForObject("SELECT phase FROM partwarden.conversion", String.class)).isEqualTo("converted");
    }
}
