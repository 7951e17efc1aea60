package io.partwarden.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.maintenance.PassReport;
import io.partwarden.plan.PartitionAction;
import io.partwarden.plan.PartitionPlanner;
import io.partwarden.plan.RetirePartition;
import io.partwarden.testing.Engine;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.failpoint.Failpoint;
import io.partwarden.testing.RunningDaemon;
import io.partwarden.testing.ServiceProcess;
import io.partwarden.testing.VersionSensitive;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link Disposal} owes, whatever it does with the detached table: each on-retire
 * mode's test extends this. Killed ({@code kill -9}) at any of its steps, the retirement converges
 * on the next pass, every row where the mode puts it. The dry run prints every DDL statement the pass then runs (recorded
 * by an event trigger), by a concurrent detach and by a plain one; and a partition the retirement
 * could detach but not dispose of (another role's) is refused before the detach, left attached
 * with its rows, and nothing recorded.
 * Tables and partitions have mixed-case names with spaces, which every statement must quote.
 */
abstract class DisposalContract {

    private static final String PARENT = "\"Dry Run\".\"Events\"";

    private static TestDatabase database;

    /** The on-retire mode under test, as configured. */
    abstract String onRetire();

    /** Settings the mode needs besides the table's (an archive directory, say). */
    Map<String, String> modeSettings() {
        return Map.of();
    }

    /** Environment the service needs for the mode, when it runs as a process (credentials, say). */
    Map<String, String> modeEnvironment() {
        return Map.of();
    }

    @BeforeAll
    static void createDatabase(org.junit.jupiter.api.TestInfo info) {
        database = TestDatabase.create(info.getTestClass().orElseThrow().getSimpleName());
        TestProperties.migrate(database);
        database.execute("CREATE SCHEMA \"Dry Run\"");
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    /** The failpoints of a retirement into an archive (file or object): detach, then write, record, verify. */
    static final List<String> ARCHIVE_STEPS = List.of("retire.begun", "retire.detached", "archive.partial",
            "archive.written", "archive.recorded", "archive.verified");

    /** The failpoints of this mode's retirement: it is killed at each, and must converge. */
    List<String> crashSteps() {
        return List.of("retire.begun", "retire.detached");
    }

    /**
     * What this mode leaves of {@code partition} once its retirement converged, whose rows were
     * {@code rows} (count and digest, as {@link #ROWS} reads them); its retirement is recorded ended.
     */
    abstract void assertDisposedOf(String partition, String rows);

    static final String ROWS = "SELECT count(*) || ':' || md5(string_agg(concat_ws('|', \"Id\", \"At\", note), ','"
            + " ORDER BY \"Id\")) FROM %s";

    static TestDatabase database() {
        return database;
    }

    @TestFactory
    Stream<DynamicTest> aRetirementKilledAtEachOfItsStepsConvergesOnTheNextPassWithEveryRowDisposedOf() {
        return crashSteps().stream().map(step -> dynamicTest("killed at " + step, () -> {
            String table = "Killed " + step;
            oldMonths(table, false);
            String january = "\"Dry Run\".\"" + table + "_y2024m01\"";
            String rows = database.jdbc().queryForObject(ROWS.formatted(january), String.class);
            List<String> args = new ArrayList<>(List.of("--once", "--spring.datasource.url=" + database.url(),
                    "--spring.datasource.username=" + database.user(), "--spring.datasource.password=" + database.password(),
                    "--partwarden.lock.at-most-for=1s"));
            settings(table).forEach((key, value) -> args.add("--partwarden." + key + "=" + value));
            Map<String, String> environment = new HashMap<>(modeEnvironment());
            environment.put("PARTWARDEN_FAILPOINT", step);
            try (ServiceProcess service = ServiceProcess.start(environment, args)) {
                service.awaitOutput(Failpoint.REACHED + step, Duration.ofSeconds(90));
                service.kill9();
            }
            assertThat(database.jdbc().queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, january))
                    .as("nothing disposed of before the disposal").isTrue();
            RunningDaemon.await("the killed process's lock lapses", Duration.ofSeconds(10), () -> database.jdbc().queryForObject(
                    "SELECT count(*) FROM partwarden.shedlock WHERE lock_until > timezone('utc', now())", Long.class) == 0);

            PassReport next = Engine.on(database, settings(table)).runner().runIfLockFree().orElseThrow();

            assertThat(next.failures()).isEmpty();
            assertThat(database.jdbc().queryForList("SELECT DISTINCT state FROM partwarden.retirement WHERE parent_name = ?"
                    + " AND partwarden.is_under_way(state)", String.class, table)).as("retirements under way").isEmpty();
            assertDisposedOf(table + "_y2024m01", rows);
        }));
    }

    @ParameterizedTest(name = "plain detach: {0}")
    @ValueSource(booleans = {false, true})
    @VersionSensitive
    void theDryRunPrintsEveryDdlStatementThePassRuns(boolean plainDetach) {
        String table = "Events " + (plainDetach ? "Plain" : "Concurrent");
        oldMonths(table, plainDetach);
        Map<String, String> runwayOnly = new HashMap<>(settings(table));
        runwayOnly.remove("tables[0].retention");
        assertThat(Engine.on(database, runwayOnly).runner().runIfLockFree()) // only the retirements left to do
                .hasValueSatisfying(r -> assertThat(r.failures()).isEmpty());
        Engine engine = Engine.on(database, settings(table));
        recordDdl();

        List<String> printed = dryRun(engine, table);
        PassReport report = engine.runner().runIfLockFree().orElseThrow();

        assertThat(report.failures()).isEmpty();
        List<String> ran = database.jdbc().queryForList("SELECT query FROM ddl_seen ORDER BY n", String.class);
        assertThat(ran).as("the pass ran DDL: a detach at least").anySatisfy(q -> assertThat(q).contains("DETACH PARTITION"));
        assertThat(ran).allSatisfy(statement -> assertThat(printed).as("printed by the dry run").contains(statement.strip()));
        assertThat(database.jdbc().queryForObject("SELECT count(*) FROM pg_inherits WHERE inhparent = to_regclass(?)",
                Long.class, "\"Dry Run\".\"" + table + "\"")).as("January and February retired").isEqualTo(plainDetach ? 3L : 2L);
        stopRecordingDdl();
    }

    @ParameterizedTest(name = "plain detach: {0}")
    @ValueSource(booleans = {false, true})
    @VersionSensitive
    void aPartitionTheRetirementCouldNotDisposeOfIsRefusedBeforeTheDetach(boolean plainDetach) {
        String table = "Owned " + (plainDetach ? "Plain" : "Concurrent");
        oldMonths(table, plainDetach);
        String role = "pw_contract_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24)).toLowerCase(Locale.ROOT);
        String january = "\"Dry Run\".\"" + table + "_y2024m01\"";
        database.execute("CREATE ROLE " + role + "; ALTER TABLE " + january + " OWNER TO " + role);
        try {
            // the retirement alone: a pass first gives the partition its parent's owner (SyncPartitionAccess)
            Engine engine = Engine.on(database, settings(table));
            PartwardenProperties.Table config = engine.properties().tables().get(0);
            PartitionAction retireJanuary = PartitionPlanner.plan(config, engine.catalog().read(TableName.parse(config.name())),
                    Instant.now()).actions().stream().filter(a -> a instanceof RetirePartition r
                            && r.partition().name().endsWith("_y2024m01")).findFirst().orElseThrow();

            assertThatThrownBy(() -> engine.executor().apply(retireJanuary, config)).hasMessageContaining("not retired, left attached");
            assertThat(database.jdbc().queryForObject("SELECT count(*) FROM pg_inherits WHERE inhrelid = to_regclass(?)",
                    Long.class, january)).as("January still attached").isEqualTo(1L);
            assertThat(database.jdbc().queryForObject("SELECT count(*) FROM " + january, Long.class)).isEqualTo(100L);
            assertThat(database.jdbc().queryForObject("SELECT count(*) FROM partwarden.retirement WHERE parent_name = ?",
                    Long.class, table)).as("no retirement begun").isZero();
        } finally {
            database.execute("ALTER TABLE " + january + " OWNER TO CURRENT_USER; DROP ROLE " + role);
        }
    }

    private Map<String, String> settings(String table) {
        Map<String, String> settings = new HashMap<>(Map.of("tables[0].name", "Dry Run." + table,
                "tables[0].column", "At", "tables[0].premake", "1", "tables[0].retention", "12m",
                "tables[0].on-retire", onRetire(), "lock.at-least-for", "0s"));
        settings.putAll(modeSettings());
        return settings;
    }

    /** January and February 2024, 100 rows each; with a default partition, which makes the detach plain. */
    private static void oldMonths(String table, boolean withDefault) {
        String parent = "\"Dry Run\".\"" + table + "\"";
        database.execute("""
                CREATE TABLE %1$s ("Id" bigint NOT NULL, "At" timestamptz NOT NULL, note text, PRIMARY KEY ("Id", "At"))
                  PARTITION BY RANGE ("At");
                CREATE TABLE "Dry Run"."%2$s_y2024m01" PARTITION OF %1$s FOR VALUES FROM ('2024-01-01Z') TO ('2024-02-01Z');
                CREATE TABLE "Dry Run"."%2$s_y2024m02" PARTITION OF %1$s FOR VALUES FROM ('2024-02-01Z') TO ('2024-03-01Z');
                INSERT INTO %1$s SELECT g, '2024-01-01Z'::timestamptz + make_interval(hours => g * 7), 'n' || g FROM generate_series(1, 100) g;
                INSERT INTO %1$s SELECT g, '2024-02-01Z'::timestamptz + make_interval(hours => (g - 100) * 6), 'n' || g
                  FROM generate_series(101, 200) g;
                """.formatted(parent, table) + (withDefault ? "CREATE TABLE \"Dry Run\".\"" + table + "_default\" PARTITION OF "
                + parent + " DEFAULT;" : ""));
    }

    /** What the dry run prints for the table, line by line, without the semicolons. */
    private static List<String> dryRun(Engine engine, String table) {
        PartwardenProperties.Table config = engine.properties().tables().get(0);
        List<String> printed = new ArrayList<>();
        for (PartitionAction action : PartitionPlanner.plan(config,
                engine.catalog().read(TableName.parse(config.name())), Instant.now()).actions()) {
            engine.executor().statements(action, config).forEach(line -> printed.add(line.strip()));
        }
        return printed;
    }

    private static void recordDdl() {
        database.execute("""
                CREATE TABLE ddl_seen (n bigserial, query text);
                CREATE FUNCTION record_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO ddl_seen (query) VALUES (current_query());
                END $$;
                CREATE EVENT TRIGGER record_ddl ON ddl_command_end EXECUTE FUNCTION record_ddl();""");
    }

    private static void stopRecordingDdl() {
        database.execute("DROP EVENT TRIGGER record_ddl; DROP FUNCTION record_ddl(); DROP TABLE ddl_seen");
    }
}
