package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.OldMonths;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code on-retire}: keep the detached table under a telling name, or move its rows to an archive table. */
@VersionSensitive
class RetireModesTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String ROWS = "SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, at, note), ',' ORDER BY id)) FROM %s";

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void migrate() {
        TestProperties.migrate(database.get());
    }

    static void table(String name) {
        OldMonths.create(database.get(), name);
    }

    static Map<String, String> retiring(String table, String onRetire) {
        return Map.of("tables[0].name", table, "tables[0].column", "at", "tables[0].premake", "1",
                "tables[0].retention", "12m", "tables[0].on-retire", onRetire, "lock.at-least-for", "0s");
    }

    @Test
    void detachKeepsTheTableRenamedWithItsRowsAndCountsIt() {
        table("kept");
        String before = jdbc().queryForObject(ROWS.formatted("kept_y2024m01"), String.class);

        assertThat(Engine.on(database.get(), retiring("kept", "detach")).runner().runIfLockFree())
                .hasValueSatisfying(r -> assertThat(r.converged()).isTrue());

        assertThat(jdbc().queryForObject(ROWS.formatted("kept_y2024m01_detached"), String.class)).isEqualTo(before);
        assertThat(jdbc().queryForObject("SELECT relispartition FROM pg_class WHERE oid = 'kept_y2024m01_detached'::regclass",
                Boolean.class)).isFalse();
        assertThat(jdbc().queryForList("SELECT state || ' ' || kept_as FROM partwarden.retirement WHERE parent_name = 'kept' ORDER BY 1",
                String.class)).containsExactly("kept kept_y2024m01_detached", "kept kept_y2024m02_detached");
        assertThat(jdbc().queryForObject("""
                SELECT count(*) FROM partwarden.retirement WHERE parent_name = 'kept' AND state = 'kept'
                   AND to_regclass(format('%I.%I', partition_schema, kept_as)) IS NOT NULL""", Long.class)).isEqualTo(2L);
    }

    @Test
    void archiveTableMovesEveryRowIntoTheArchiveThenDropsThePartition() {
        table("moved");
        String before = jdbc().queryForObject(ROWS.formatted("moved"), String.class);

        assertThat(Engine.on(database.get(), retiring("moved", "archive-table")).runner().runIfLockFree())
                .hasValueSatisfying(r -> assertThat(r.converged()).isTrue());

        assertThat(jdbc().queryForObject(ROWS.formatted("moved_archive"), String.class)).isEqualTo(before).startsWith("200:");
        assertThat(jdbc().queryForObject("SELECT to_regclass('moved_y2024m01') IS NULL AND to_regclass('moved_y2024m02') IS NULL",
                Boolean.class)).isTrue();
        assertThat(jdbc().queryForList("SELECT indexdef FROM pg_indexes WHERE tablename = 'moved_archive'", String.class))
                .as("the archive is made like the parent, keys included").hasSize(1);
    }

    @Test
    void anArchiveThatLosesRowsRollsBackAndTheNextPassFinishesTheRetirement() {
        table("guarded");
        database.get().execute("""
                CREATE TABLE guarded_archive (LIKE guarded INCLUDING ALL);
                CREATE FUNCTION drop_odd_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.id % 2 = 1 THEN RETURN NULL; END IF; RETURN NEW; END $$;
                CREATE TRIGGER lose_rows BEFORE INSERT ON guarded_archive FOR EACH ROW EXECUTE FUNCTION drop_odd_rows();""");
        String january = jdbc().queryForObject(ROWS.formatted("guarded_y2024m01"), String.class);

        var failed = Engine.on(database.get(), retiring("guarded", "archive-table")).runner().runIfLockFree().orElseThrow();

        assertThat(failed.failures()).isNotEmpty().allSatisfy(f -> assertThat(f.error()).contains("inserted 50 rows of 100; rolled back"));
        assertThat(jdbc().queryForObject(ROWS.formatted("guarded_y2024m01"), String.class)).isEqualTo(january);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM guarded_archive", Long.class)).isZero();
        assertThat(jdbc().queryForList("SELECT DISTINCT state FROM partwarden.retirement WHERE parent_name = 'guarded'", String.class))
                .containsExactly("detached");

        database.get().execute("DROP TRIGGER lose_rows ON guarded_archive");
        var finished = Engine.on(database.get(), retiring("guarded", "archive-table")).runner().runIfLockFree().orElseThrow();
        assertThat(finished.outcomes()).anySatisfy(o -> assertThat(o.action()).startsWith("finish retiring detached public.guarded_y2024m01"));
        assertThat(finished.converged()).isTrue();
        assertThat(jdbc().queryForObject("SELECT count(*) FROM guarded_archive", Long.class)).isEqualTo(200L);
    }
}
