package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MeshHookLoad;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MeshHook keeps working while its events are converted online: 300,000 events over a year,
 * converted by {@code --once} while {@link MeshHookLoad} inserts, deletes runs and updates old
 * events. No insert may wait a second (in place, the same table makes writers wait 2–4 s here),
 * none may fail, and the partitioned table must hold exactly what the clients saw committed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnlineConversionUnderWritersTest {

    private static final Logger log = LoggerFactory.getLogger(OnlineConversionUnderWritersTest.class);

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final int EVENTS = 300_000;
    static final String KEPT = "workflow_events_unpartitioned";

    String relkindAfterMigration;
    int exitCode;
    long insertsDuring;
    long deletesDuring;
    long updatesDuring;
    MeshHookLoad load;

    TestDatabase db() {
        return database.get();
    }

    @BeforeAll
    void convertOnlineUnderLoad() throws Exception {
        TestDatabase db = db();
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");
        MeshHookLoad.Year year = MeshHookLoad.addYearOfEvents(db, EVENTS, 1_000);
        SchemaMigration.migrate(db.dataSource(), TestProperties.partwarden(Map.of("migration.conversion", "online")));
        relkindAfterMigration = relkind("workflow_events");

        load = MeshHookLoad.start(db, year);
        try {
            Thread.sleep(1_000);
            long inserts = load.acknowledgedInserts().size();
            long deletes = load.deletedRuns().size();
            long updates = load.updateCount();
            long started = System.nanoTime();
            // small batches, so the copy takes seconds and the load meets every phase of it
            exitCode = Commands.run(db, "--once", "--partwarden.migration.conversion=online",
                    "--partwarden.migration.online.batch-rows=2000", "--partwarden.migration.online.batch-target=100ms");
            long conversionMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            insertsDuring = load.acknowledgedInserts().size() - inserts;
            deletesDuring = load.deletedRuns().size() - deletes;
            updatesDuring = load.updateCount() - updates;
            Thread.sleep(1_000); // writes after the cut-over too
            load.stop();
            log.info("online conversion of {} rows: --once took {} ms (exit {}); longest insert wait {} ms;"
                            + " while converting: {} inserts, {} runs deleted, {} events updated; in all {} inserts,"
                            + " {} runs deleted, {} updates ({} rows), {} failures",
                    EVENTS + 10_000, conversionMillis, exitCode, load.longestInsertWait().toMillis(), insertsDuring,
                    deletesDuring, updatesDuring, load.acknowledgedInserts().size(), load.deletedRuns().size(),
                    load.updateCount(), load.updates().size(), load.failures().size());
        } finally {
            load.stop();
        }
    }

    @AfterAll
    void stopTheLoad() throws InterruptedException {
        if (load != null) {
            load.stop();
        }
    }

    @Test
    void theMigrationLeavesTheTablePlainForTheServiceToConvert() {
        assertThat(relkindAfterMigration).isEqualTo("r");
    }

    @Test
    void onceExitsZeroWithTheTablePartitioned() {
        assertThat(exitCode).isZero();
        assertThat(relkind("workflow_events")).isEqualTo("p");
    }

    @Test
    void theLoadRanWhileTheTableWasConverted() {
        assertThat(insertsDuring).isPositive();
        assertThat(deletesDuring).isPositive();
        assertThat(updatesDuring).isPositive();
    }

    @Test
    void noClientFails() {
        assertThat(load.failures()).isEmpty();
    }

    @Test
    void noInsertWaitsASecond() {
        assertThat(load.longestInsertWait()).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void everyAcknowledgedInsertIsPresentExactlyOnce() {
        assertThat(load.acknowledgedInserts()).isNotEmpty();
        assertThat(load.insertsNotFoundExactlyOnce()).isEmpty();
    }

    @Test
    void noEventOfADeletedRunRemains() {
        assertThat(load.deletedRuns()).isNotEmpty();
        assertThat(load.deletedRunsWithEvents()).isEmpty();
    }

    @Test
    void everyUpdateIsPresentWithItsLastTsAndPayload() {
        assertThat(load.updates()).isNotEmpty();
        assertThat(load.updatesNotFound()).isEmpty();
    }

    @Test
    void noIdIsTwiceInTheTable() {
        assertThat(db().jdbc().queryForList(
                "SELECT id FROM workflow_events GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 20", Long.class)).isEmpty();
    }

    /**
     * The kept table holds the rows of the cut-over and, once replayed, every change since: so
     * where it differs from the new table, the id's change waits in the log for the way back.
     * (Under {@code --once} nothing replays after the cut-over: row counts alone may differ.)
     */
    @Test
    void theKeptTableDiffersFromTheNewOnlyByChangesLoggedForTheWayBack() {
        assertThat(db().jdbc().queryForObject("SELECT count(*) FROM " + KEPT, Long.class)).isPositive();
        assertThat(db().jdbc().queryForList("""
                SELECT coalesce(n.id, o.id) FROM workflow_events n FULL JOIN %s o ON o.id = n.id
                 WHERE (n.run_id, n.ts, n.type, n.payload, n.created_at) IS DISTINCT FROM (o.run_id, o.ts, o.type, o.payload, o.created_at)
                   AND coalesce(n.id, o.id) NOT IN (SELECT id FROM partwarden.conversion_change
                                                     WHERE direction = 'r' AND kind = 'k')
                 ORDER BY 1 LIMIT 20""".formatted(KEPT), Long.class)).isEmpty();
        assertThat(db().jdbc().queryForObject(
                "SELECT count(*) FROM partwarden.conversion_change WHERE direction = 'r' AND kind = 't'", Long.class))
                .as("TRUNCATEs logged for the way back").isZero();
    }

    private String relkind(String table) {
        return db().jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = ?::regclass", String.class, table);
    }
}
