package io.partwarden.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.Tenant;
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
 * authenticated} for every new table): the archive table and a table {@code --restore-into} makes
 * get a partition's access (no grant to the roles the parent's policies restrict, row level
 * security on), so a tenant reads neither its own nor, above all, another tenant's rows there.
 */
class RetiredRowsAccessTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @TempDir
    static Path archive;

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void meshHookWithDefaultPrivilegesForTenantsThenRetiredByBothArchiveModes() throws Exception {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        database.get().execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO authenticated");
        assertThat(Commands.run(database.get(), "--once", "--partwarden.tables[0].name=public.workflow_events",
                "--partwarden.tables[0].retention=3m", "--partwarden.tables[0].on-retire=archive-table")).isZero();
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
    void aTableRestoreIntoMakesHoldsTheArchivedRowsThatNoTenantCanRead() throws Exception {
        Path directory = Files.createDirectories(archive.resolve("files"));
        assertThat(Commands.run(database.get(), "--once", "--partwarden.tables[0].name=public.workflow_events",
                "--partwarden.tables[0].retention=2m", "--partwarden.tables[0].on-retire=archive",
                "--partwarden.archive.directory=" + directory)).isZero();
        Path manifest;
        try (Stream<Path> files = Files.walk(directory)) {
            manifest = files.filter(f -> f.toString().endsWith(".manifest.json")).findFirst().orElseThrow();
        }

        assertThat(Commands.run(database.get(), "--restore=" + manifest, "--restore-into=public.restored_events")).isZero();

        assertThat(jdbc().queryForObject("SELECT count(*) FROM public.restored_events", Long.class)).isPositive();
        assertThatThrownBy(() -> Tenant.ONE.ids(database.get(), "SELECT id FROM public.restored_events"))
                .hasMessageContaining("permission denied");
    }
}
