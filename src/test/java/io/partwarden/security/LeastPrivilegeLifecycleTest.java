package io.partwarden.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.VersionSensitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The whole lifecycle as a role that is no superuser and owns only what it maintains: it converts
 * MeshHook's workflow_events, makes partitions, retires in every on-retire mode, archives to a
 * file and restores, as the superuser-run service does, and everything it makes belongs to it.
 */
@VersionSensitive
class LeastPrivilegeLifecycleTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @TempDir
    static Path archive;

    static final String ROLE = ("pw_owner_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24))).toLowerCase(Locale.ROOT);
    static final String PASSWORD = "pw-" + ROLE;
    static final String MODES = "drop,detach,archive-table";

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    static String[] settings(String mode, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(mode,
                "--partwarden.tables[0].name=public.workflow_events", "--partwarden.tables[0].retention=3m",
                "--partwarden.tables[0].on-retire=archive", "--partwarden.archive.directory=" + archive));
        String[] modes = MODES.split(",");
        for (int i = 0; i < modes.length; i++) {
            String table = "old_" + modes[i].replace('-', '_');
            args.addAll(List.of("--partwarden.tables[" + (i + 1) + "].name=public." + table,
                    "--partwarden.tables[" + (i + 1) + "].column=at", "--partwarden.tables[" + (i + 1) + "].retention=12m",
                    "--partwarden.tables[" + (i + 1) + "].on-retire=" + modes[i]));
        }
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @BeforeAll
    static void meshHookOwnedByAnOrdinaryRole() {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        String db = jdbc().queryForObject("SELECT current_database()", String.class);
        database.get().execute("""
                CREATE ROLE %1$s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '%2$s';
                GRANT CREATE ON DATABASE %3$s TO %1$s;
                GRANT CREATE ON SCHEMA public TO %1$s;
                ALTER TABLE public.workflow_events OWNER TO %1$s;
                GRANT REFERENCES, UPDATE ON public.workflow_runs TO %1$s;  -- the foreign key, and its lock during the conversion
                GRANT USAGE ON SCHEMA auth TO %1$s;
                SET ROLE %1$s;
                """.formatted(ROLE, PASSWORD, db) + String.join("\n", Stream.of(MODES.split(",")).map(m -> """
                CREATE TABLE old_%1$s (id bigint NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
                CREATE TABLE old_%1$s_y2024m01 PARTITION OF old_%1$s FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
                INSERT INTO old_%1$s SELECT g, '2024-01-01'::timestamptz + make_interval(hours => g) FROM generate_series(1, 100) g;
                """.formatted(m.replace('-', '_'))).toList()));
    }

    @AfterAll
    static void dropTheRole() {
        database.get().execute("DROP OWNED BY " + ROLE + " CASCADE; DROP ROLE " + ROLE);
    }

    @Test
    void anOrdinaryOwnerConvertsCreatesRetiresInEveryModeArchivesAndRestores() throws Exception {
        assertThat(Commands.runAs(database.get(), ROLE, PASSWORD, settings("--once"))).isZero();

        assertThat(jdbc().queryForObject("SELECT relkind::text || ' ' || pg_get_userbyid(relowner) FROM pg_class"
                + " WHERE oid = 'public.workflow_events'::regclass", String.class)).isEqualTo("p " + ROLE);
        assertThat(jdbc().queryForList("SELECT DISTINCT state FROM partwarden.retirement ORDER BY 1", String.class))
                .containsExactly("dropped", "kept");
        assertThat(jdbc().queryForObject("SELECT count(*) FROM old_archive_table_archive", Long.class)).isEqualTo(100);
        assertThat(jdbc().queryForObject("SELECT to_regclass('old_detach_y2024m01_detached') IS NOT NULL", Boolean.class)).isTrue();
        assertThat(jdbc().queryForObject("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname IN ('public', 'partwarden') AND c.relkind IN ('r', 'p') AND c.relname ~ '(_y20|_archive|shedlock|retirement)'"
                + " AND pg_get_userbyid(c.relowner) <> ?", Long.class, ROLE)).as("everything it made is its own").isZero();
        assertThat(Commands.runAs(database.get(), ROLE, PASSWORD, settings("--verify"))).isZero();

        Path manifest;
        try (Stream<Path> files = Files.walk(archive)) {
            manifest = files.filter(f -> f.toString().endsWith(".manifest.json")).sorted().findFirst().orElseThrow();
        }
        long before = jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class);
        assertThat(Commands.runAs(database.get(), ROLE, PASSWORD, "--restore=" + manifest)).isZero();
        assertThat(jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class)).isGreaterThan(before);
        assertThat(Commands.runAs(database.get(), ROLE, PASSWORD, "--restore=" + manifest, "--restore-into=public.restored")).isZero();
        assertThat(jdbc().queryForObject("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.restored'::regclass",
                String.class)).isEqualTo(ROLE);
    }
}
