package io.partwarden.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.Tenant;
import io.partwarden.testing.VersionSensitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Rows a retirement takes out of MeshHook's workflow_events stay as closed to tenants as they were
 * in it, in a database with Supabase-style default privileges ({@code GRANT SELECT ON TABLES TO
 * authenticated} for every new table): the archive table, a table {@code --restore-into} makes and
 * a kept detached table have a partition's access (no grant to the roles the parent's policies
 * restrict, row level security on), so a tenant reads neither its own nor, above all, another
 * tenant's rows there; through the parent and the SQL API it still reads its own rows only.
 */
@VersionSensitive
class RetiredRowsAccessTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @TempDir
    static Path archive;

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    static String[] retiring(String retention, String onRetire, String... more) {
        return Stream.concat(Stream.of("--once", "--partwarden.tables[0].name=public.workflow_events",
                "--partwarden.tables[0].retention=" + retention, "--partwarden.tables[0].on-retire=" + onRetire,
                "--partwarden.archive.directory=" + archive), Stream.of(more)).toArray(String[]::new);
    }

    @BeforeAll
    static void meshHookWithDefaultPrivilegesForTenantsThenRetiredInEachModeThatKeepsRows() throws Exception {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        database.get().execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO authenticated");
        assertThat(Commands.run(database.get(), retiring("4m", "archive-table"))).isZero();
        assertThat(Commands.run(database.get(), retiring("3m", "archive"))).isZero();
        assertThat(Commands.run(database.get(), retiring("2m", "detach"))).isZero();
        Path manifest;
        try (Stream<Path> files = Files.walk(archive)) {
            manifest = files.filter(f -> f.toString().endsWith(".manifest.json")).findFirst().orElseThrow();
        }
        assertThat(Commands.run(database.get(), "--restore=" + manifest, "--restore-into=public.restored_events")).isZero();
        database.get().execute("CREATE TABLE public.default_privileges_check (x int)");
    }

    @Test
    void theDefaultPrivilegesWouldOpenANewTableToTenantsSoTheChecksBelowMeanSomething() throws SQLException {
        assertThat(Tenant.ONE.ids(database.get(), "SELECT count(*) FROM public.default_privileges_check")).containsExactly(0L);
    }

    @Test
    void theArchiveTableHoldsRetiredRowsThatNoTenantCanRead() {
        assertThat(jdbc().queryForObject("SELECT count(*) FROM public.workflow_events_archive", Long.class)).isPositive();
        assertThat(jdbc().queryForObject("SELECT relrowsecurity FROM pg_class WHERE oid = 'public.workflow_events_archive'::regclass",
                Boolean.class)).isTrue();
        assertThatThrownBy(() -> Tenant.ONE.ids(database.get(), "SELECT id FROM public.workflow_events_archive"))
                .hasMessageContaining("permission denied");
    }

    @Test
    void aTableRestoreIntoMakesHoldsTheArchivedRowsThatNoTenantCanRead() {
        assertThat(jdbc().queryForObject("SELECT count(*) FROM public.restored_events", Long.class)).isPositive();
        assertThatThrownBy(() -> Tenant.ONE.ids(database.get(), "SELECT id FROM public.restored_events"))
                .hasMessageContaining("permission denied");
    }

    @Test
    void aKeptDetachedTableHoldsRowsThatNoTenantCanRead() {
        String kept = jdbc().queryForObject("SELECT format('%I.%I', partition_schema, kept_as) FROM partwarden.retirement"
                + " WHERE state = 'kept' LIMIT 1", String.class);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM " + kept, Long.class)).isPositive();
        assertThatThrownBy(() -> Tenant.ONE.ids(database.get(), "SELECT id FROM " + kept)).hasMessageContaining("permission denied");
    }

    @Test
    void throughTheParentAndTheSqlApiATenantReadsItsOwnRowsOnly() throws SQLException {
        String anotherTenantsRun = jdbc().queryForObject("""
                SELECT e.run_id::text FROM workflow_events e JOIN workflow_runs r ON r.id = e.run_id
                 WHERE r.project_id <> ?::uuid LIMIT 1""", String.class, Tenant.ONE.projectId());
        String itsEvents = "SELECT count(*) FROM workflow_events WHERE run_id = '" + anotherTenantsRun + "'";
        assertThat(jdbc().queryForObject(itsEvents, Long.class)).as("the other tenant's run has events").isPositive();

        assertThat(Tenant.ONE.ids(database.get(), itsEvents)).containsExactly(0L);
        assertThat(Tenant.ONE.ids(database.get(), "SELECT count(*) FROM get_workflow_run_events('" + anotherTenantsRun + "')"))
                .containsExactly(0L);
    }
}
