package io.partwarden.conversion;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.failpoint.Failpoint;
import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MeshHookLoad;
import io.partwarden.testing.RunningDaemon;
import io.partwarden.testing.ServiceProcess;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service killed with {@code kill -9} at each step of an online conversion while MeshHook's
 * writers insert, delete runs and update events, then run again: the conversion resumes from
 * what was committed and converges to exactly what the writers saw acknowledged, every row once,
 * every update and delete applied, one conversion recorded and nothing of it left in schema
 * partwarden. Each case starts from its own copy of one starting state.
 */
class OnlineConversionCrashTest {

    private static final Logger log = LoggerFactory.getLogger(OnlineConversionCrashTest.class);

    /** Beside MeshHook's 10,000: enough for several batches of {@link #BATCH_ROWS}. */
    static final int EXTRA_EVENTS = 10_000;
    static final int RUNS = 200;
    static final String BATCH_ROWS = "1000";
    /** partwarden.migration.online.cutover-backlog's default. */
    static final long CUTOVER_BACKLOG = 1000;
    static final String KEPT = "workflow_events_unpartitioned";
    static final Duration TO_FAILPOINT = Duration.ofSeconds(90);

    /** The starting state, built once: each case converts a copy of it. */
    @RegisterExtension
    static final FreshDatabase template = new FreshDatabase();

    static MeshHookLoad.Year year;

    @BeforeAll
    static void meshHookWithItsEventsPlainAfterTheMigration() {
        long started = System.nanoTime();
        TestDatabase db = template.get();
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");
        year = MeshHookLoad.addYearOfEvents(db, EXTRA_EVENTS, RUNS);
        plainEventsTableAfterMigration(db);
        log.info("starting state built in {} ms", millis(started, System.nanoTime()));
    }

    /**
     * {@code kills}: the failpoints of the runs killed one after the other (a run's successor
     * resumes where it died); {@code phase}: the conversion's phase after the last kill. Killed at
     * {@code conversion.replayed.f} after a rolled-back cut-over, the run dies applying changes in
     * {@code catching_up}; killed there alone, it dies in the first round, which follows a batch.
     */
    @ParameterizedTest(name = "killed at {0}")
    @CsvSource(delimiter = '|', textBlock = """
            conversion.prepared                             | preparing
            conversion.staged                               | staging
            conversion.captured                             | backfilling
            conversion.batch                                | backfilling
            conversion.replayed.f                           | backfilling
            conversion.cutover.locked                       | catching_up
            conversion.cutover.locked conversion.replayed.f | catching_up
            conversion.converted                            | converted
            """)
    void killedAtAStepWithWritersRunningTheNextRunResumesAndConvergesToWhatTheWritersSawCommitted(String kills,
            String phase) throws Exception {
        long started = System.nanoTime();
        try (TestDatabase db = template.get().copy(getClass().getSimpleName())) {
            long copied = System.nanoTime();
            MeshHookLoad load = MeshHookLoad.start(db, year);
            int exitCode;
            long killed;
            try {
                for (String point : kills.split(" ")) {
                    killAt(point, db);
                    expireConversionLock(db);
                }
                killed = System.nanoTime();
                log.info("after the kill at {}: conversion {}", kills, conversionState(db));
                assertThat(phase(db)).as("the phase the kill left").isEqualTo(phase);
                exitCode = Commands.run(db, OPTIONS.toArray(String[]::new));
                Thread.sleep(500); // writes after the cut-over too
            } finally {
                load.stop();
            }
            long ranAgain = System.nanoTime();

            log.info("killed at {}: copy of the starting state {} ms, runs to the kill {} ms, the run after {} ms"
                            + " (exit {}); {} inserts, {} runs deleted, {} updates ({} rows), {} failures; conversion {}",
                    kills, millis(started, copied), millis(copied, killed), millis(killed, ranAgain), exitCode,
                    load.acknowledgedInserts().size(), load.deletedRuns().size(), load.updateCount(),
                    load.updates().size(), load.failures().size(), conversionState(db));
            assertThat(exitCode).as("the --once after the kill").isZero();
            assertConverged(db, load);
        }
    }

    /**
     * A MeshHook database whose workflow_events is plain after Partwarden's migration, as migration
     * 3 leaves it under {@code partwarden.migration.conversion=online}. Until the migration defers,
     * made by hand: the plain table set aside while the migration makes (and converts) its own,
     * which is then dropped. Once it defers, this is
     * {@code SchemaMigration.migrate(db.dataSource(), TestProperties.partwarden(Map.of("migration.conversion", "online")))}.
     */
    static void plainEventsTableAfterMigration(TestDatabase db) {
        io.partwarden.migration.SchemaMigration.migrate(db.dataSource(),
                TestProperties.partwarden(java.util.Map.of("migration.conversion", "online")));
    }

    private static void killAt(String point, TestDatabase db) throws Exception {
        if (point.equals("conversion.replayed.f") && "catching_up".equals(phase(db))) {
            // more than the cut-over backlog waiting: the run's first slice applies a round rather than cut over
            long waiting = System.nanoTime();
            RunningDaemon.await("changes pile up", Duration.ofSeconds(30), () -> forwardBacklog(db) > 2 * CUTOVER_BACKLOG);
            log.info("{} changes waiting after {} ms", forwardBacklog(db), millis(waiting, System.nanoTime()));
        }
        long starting = System.nanoTime();
        try (ServiceProcess service = ServiceProcess.start(Map.of("PARTWARDEN_FAILPOINT", point), processArgs(db))) {
            service.awaitOutput(Failpoint.REACHED + point, TO_FAILPOINT);
            log.info("{} reached {} ms after the start", point, millis(starting, System.nanoTime()));
            if (point.equals("conversion.cutover.locked")) {
                RunningDaemon.await("writers queue behind the cut-over's locks", Duration.ofSeconds(10),
                        () -> sessionsWaitingForALock(db) > 0);
            }
            service.kill9();
        }
        if (point.equals("conversion.cutover.locked")) {
            double seconds = secondsToInsert(db);
            log.info("an insert right after the kill took {} s", seconds);
            assertThat(seconds).as("seconds for an insert after the kill: the locks went with the process").isLessThan(3.0);
        }
    }

    /** Every run's: --once, online, small batches, and a bound on the wait for a cut-over. */
    static final List<String> OPTIONS = List.of("--once", "--partwarden.migration.conversion=online",
            "--partwarden.migration.online.batch-rows=" + BATCH_ROWS, "--partwarden.migration.online.cutover-timeout=60s");

    /** The command line of a run to be killed: a process of its own. */
    private static List<String> processArgs(TestDatabase db) {
        List<String> args = new ArrayList<>(List.of("--spring.datasource.url=" + db.url(),
                "--spring.datasource.username=" + db.user(), "--spring.datasource.password=" + db.password()));
        args.addAll(OPTIONS);
        return args;
    }

    /**
     * The killed process cannot release the conversion's ShedLock lock: it lapses after its 10
     * minutes (PassLock.CONVERSION_AT_MOST_FOR), which a restart would wait out. Lapsed here at once.
     */
    private static void expireConversionLock(TestDatabase db) {
        db.jdbc().update("UPDATE partwarden.shedlock SET lock_until = timezone('utc', now()) - interval '1 second'"
                + " WHERE name = 'partwarden-conversion'");
    }

    private static void assertConverged(TestDatabase db, MeshHookLoad load) {
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass",
                String.class)).as("workflow_events is partitioned").isEqualTo("p");
        soft.assertThat(db.jdbc().queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, KEPT))
                .as(KEPT + " is kept").isTrue();
        soft.assertThat(load.acknowledgedInserts()).as("acknowledged inserts").isNotEmpty();
        soft.assertThat(load.insertsNotFoundExactlyOnce()).as("acknowledged inserts not found exactly once").isEmpty();
        soft.assertThat(load.deletedRuns()).as("deleted runs").isNotEmpty();
        soft.assertThat(load.deletedRunsWithEvents()).as("deleted runs with events left").isEmpty();
        soft.assertThat(load.updates()).as("updates").isNotEmpty();
        soft.assertThat(load.updatesNotFound()).as("updated rows without their last update's ts and payload").isEmpty();
        soft.assertThat(db.jdbc().queryForList("SELECT id FROM workflow_events GROUP BY id HAVING count(*) > 1 ORDER BY id"
                + " LIMIT 20", Long.class)).as("ids twice").isEmpty();
        soft.assertThat(db.jdbc().queryForList("""
                SELECT coalesce(n.id, o.id) FROM workflow_events n FULL JOIN %s o ON o.id = n.id
                 WHERE (n.run_id, n.ts, n.type, n.payload, n.created_at) IS DISTINCT FROM (o.run_id, o.ts, o.type, o.payload, o.created_at)
                   AND coalesce(n.id, o.id) NOT IN (SELECT id FROM partwarden.conversion_change WHERE direction = 'r' AND kind = 'k')
                 ORDER BY 1 LIMIT 20""".formatted(KEPT), Long.class))
                .as("ids where the kept table differs from the new one with no change logged for the way back").isEmpty();
        soft.assertThat(db.jdbc().queryForObject("SELECT reltuples FROM pg_class WHERE oid = 'workflow_events'::regclass",
                Double.class)).as("the partitioned table's row estimate: analyzed after the swap").isPositive();
        soft.assertThat(load.failures()).as("writers' failures").isEmpty();
        soft.assertThat(db.jdbc().queryForList("SELECT phase FROM partwarden.conversion", String.class))
                .as("conversions recorded").containsExactly("converted");
        soft.assertThat(db.jdbc().queryForList("""
                SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'partwarden' AND c.relname LIKE 'workflow\\_events%' ORDER BY 1""", String.class))
                .as("relations left in schema partwarden").isEmpty();
        soft.assertAll();
    }

    private static String phase(TestDatabase db) {
        return db.jdbc().queryForObject("SELECT string_agg(phase, ',') FROM partwarden.conversion", String.class);
    }

    /** The conversion's row and its change log, for the log and a failure's diagnosis. */
    private static String conversionState(TestDatabase db) {
        return db.jdbc().queryForList("""
                SELECT c.id, c.phase, c.backfill_to, c.copied_through, c.rows_copied, c.cutover_attempts, left(c.last_error, 100) AS last_error,
                       (SELECT string_agg(direction || kind || '=' || n, ' ' ORDER BY direction, kind) FROM (
                          SELECT direction::text, kind::text, count(*) n FROM partwarden.conversion_change
                           WHERE conversion_id = c.id GROUP BY 1, 2) l) AS changes
                  FROM partwarden.conversion c ORDER BY c.id""").toString();
    }

    private static long forwardBacklog(TestDatabase db) {
        return db.jdbc().queryForObject("SELECT count(*) FROM partwarden.conversion_change WHERE direction = 'f'", Long.class);
    }

    private static long sessionsWaitingForALock(TestDatabase db) {
        return db.jdbc().queryForObject("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND wait_event_type = 'Lock'", Long.class);
    }

    private static double secondsToInsert(TestDatabase db) throws Exception {
        long started = System.nanoTime();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET lock_timeout = '10s'");
            s.execute("INSERT INTO workflow_events (run_id, type, payload)"
                    + " VALUES ('c0000000-0000-0000-0000-000000000011', 'after the kill', '{}')");
        }
        return (System.nanoTime() - started) / 1e9;
    }

    private static long millis(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }
}
