package io.partwarden.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Attacker;
import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.VersionSensitive;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A role with CREATE on public plants an operator {@code public.=(oid, regclass)} (and its
 * mirror) before Partwarden's first run. Nothing Partwarden runs, as the superuser, may call it:
 * the migration (a conversion), a pass that creates and retires into an archive table, the dry
 * run, the check, and the spec's SQL API called from a session whose path has public on it.
 */
@VersionSensitive
class SearchPathAttackTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final List<String> SQL_API = List.of("create_workflow_events_partition", "maintain_workflow_events_partitions",
            "drop_old_workflow_events_partitions", "get_workflow_events_partition_stats", "get_workflow_run_events");
    static final String[] RETIRE_INTO_ARCHIVE_TABLE = {"--partwarden.tables[0].name=public.workflow_events",
            "--partwarden.tables[0].retention=3m", "--partwarden.tables[0].on-retire=archive-table"};

    static Attacker attacker;
    static boolean attackWorksOnAPlainPath;
    static int onceExit;

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void meshHookWithAnOperatorPlantedInPublicThenPartwardensFirstRun() {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        attacker = Attacker.plantOperators(database.get());
        attackWorksOnAPlainPath = attacker.runsOnAPlainPath();
        onceExit = Commands.run(database.get(), concat("--once"));
    }

    @AfterAll
    static void dropTheAttacker() {
        attacker.close();
    }

    @Test
    void thePlantedOperatorRunsForAPlainSessionSoZeroCallsMeanSomething() {
        assertThat(attackWorksOnAPlainPath).isTrue();
    }

    @Test
    void theMigrationAndAPassThatCreatesAndRetiresRunNoOtherRolesCode() {
        assertThat(onceExit).isZero();
        assertThat(jdbc().queryForObject("SELECT count(*) FROM public.workflow_events_archive", Long.class)).isPositive();
        assertThat(attacker.callsByOthers()).isZero();
    }

    @Test
    void theDryRunAndTheCheckRunNoOtherRolesCode() {
        Commands.run(database.get(), concat("--dry-run"));
        Commands.run(database.get(), concat("--verify"));
        assertThat(attacker.callsByOthers()).isZero();
    }

    @Test
    void theSqlApiCalledWithPublicOnThePathRunsNoOtherRolesCode() {
        jdbc().queryForList("SELECT create_workflow_events_partition('2031-01-01'::date)");
        jdbc().queryForList("SELECT create_workflow_events_partition(now() + interval '7 years')");
        jdbc().queryForList("SELECT maintain_workflow_events_partitions()");
        jdbc().queryForList("SELECT * FROM drop_old_workflow_events_partitions(3)");
        jdbc().queryForList("SELECT * FROM get_workflow_events_partition_stats()");
        jdbc().queryForList("SELECT * FROM workflow_events_partition_info");
        jdbc().queryForList("SELECT * FROM get_workflow_run_events(gen_random_uuid(), now() - interval '1 day', now())");
        assertThat(attacker.callsByOthers()).isZero();
    }

    @Test
    void everyFunctionPartwardenInstallsRunsUnderAFixedSearchPath() {
        List<String> unprotected = jdbc().queryForList("""
                SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE (p.pronamespace = 'partwarden'::regnamespace
                        OR (p.pronamespace = 'public'::regnamespace AND p.proname = ANY (?)))
                   AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, partwarden, pg_temp']
                   AND p.prosqlbody IS NULL
                 ORDER BY 1""", String.class, (Object) SQL_API.toArray(String[]::new));
        assertThat(unprotected).isEmpty();
    }

    @Test
    void getWorkflowRunEventsIsStillInlinedSoItsTimeRangePrunesPartitions() {
        java.time.LocalDate monthStart = java.time.YearMonth.now(java.time.ZoneOffset.UTC).atDay(1);
        String plan = String.join("\n", jdbc().queryForList("""
                EXPLAIN SELECT * FROM get_workflow_run_events('00000000-0000-0000-0000-000000000001'::uuid,
                                                              '%s 00:00:00+00', '%s 00:00:00+00')""".formatted(monthStart,
                monthStart.plusDays(1)), String.class));
        assertThat(plan).doesNotContain("Function Scan");
        assertThat(plan.lines().filter(l -> l.contains(" Scan on workflow_events_y")).distinct().count()).as(plan).isEqualTo(1);
    }

    private static String[] concat(String mode) {
        String[] args = new String[RETIRE_INTO_ARCHIVE_TABLE.length + 1];
        args[0] = mode;
        System.arraycopy(RETIRE_INTO_ARCHIVE_TABLE, 0, args, 1, RETIRE_INTO_ARCHIVE_TABLE.length);
        return args;
    }
}
