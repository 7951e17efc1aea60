package io.partwarden.conversion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The online conversion's copy and replay, step by step, against writers whose changes fall at
 * each awkward moment: the copy must end equal to the source, row for row, every time. The table
 * and its schema have mixed-case names with spaces, so every name must be quoted.
 */
class OnlineConversionRaceTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String SCHEMA = "Mixed Schema";
    static final String SOURCE = "\"Mixed Schema\".\"Events\"";
    static final String STAGED = "partwarden.\"Events\"";
    static final String ROWS = "SELECT count(*) || ':' || coalesce(md5(string_agg(concat_ws('|', \"Id\", \"Run\", ts, note), ','"
            + " ORDER BY \"Id\", ts)), '') FROM %s";

    static TestDatabase db;
    static JdbcTemplate jdbc;
    static TransactionTemplate transactions;
    ConversionRecords records;
    ConversionTransaction transaction;
    Conversion conversion;
    Columns columns;

    @BeforeAll
    static void migrate() {
        db = database.get();
        TestProperties.migrate(db);
        jdbc = db.jdbc();
        transactions = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
    }

    @BeforeEach
    void plainTableWithCapture() {
        jdbc.execute("""
                DROP SCHEMA IF EXISTS "Mixed Schema" CASCADE;
                DROP TABLE IF EXISTS partwarden."Events" CASCADE;
                DELETE FROM partwarden.conversion_change; DELETE FROM partwarden.conversion;
                CREATE SCHEMA "Mixed Schema";
                CREATE TABLE "Mixed Schema"."Runs" (id int PRIMARY KEY);
                INSERT INTO "Mixed Schema"."Runs" SELECT generate_series(1, 10);
                CREATE TABLE "Mixed Schema"."Events" (
                  "Id" bigserial PRIMARY KEY,
                  "Run" int NOT NULL REFERENCES "Mixed Schema"."Runs" (id) ON DELETE CASCADE,
                  ts timestamptz NOT NULL,
                  note text);
                INSERT INTO "Mixed Schema"."Events" ("Run", ts, note)
                SELECT 1 + i % 10, now() - make_interval(days => i % 100), 'row ' || i FROM generate_series(1, 1000) i;
                """);
        records = new ConversionRecords(jdbc);
        transaction = new ConversionTransaction(jdbc, transactions, records, Duration.ofMillis(500), 5);
        SourceTable source = SourceTable.read(jdbc, SCHEMA, "Events", "ts").orElseThrow();
        records.begin(source, 1000);
        conversion = records.latest(SCHEMA, "Events").orElseThrow();
        columns = new Columns(source.columns());
        new Preparation(jdbc, transaction).run(conversion);
        new Staging(jdbc, transaction).run(records.get(conversion.id()));
        new Backfill(jdbc, transaction, Duration.ofSeconds(10)).readBounds(records.get(conversion.id()));
    }

    Backfill.Batch batch(int rows) {
        return new Backfill(jdbc, transaction, Duration.ofSeconds(10)).copy(records.get(conversion.id()), columns,
                References.read(jdbc, conversion.sourceOid()), rows);
    }

    void replayAll() {
        Replay replay = new Replay(jdbc, transaction, records, Duration.ofSeconds(10));
        while (replay.round(records.get(conversion.id()), ChangeCapture.FORWARD, columns,
                References.read(jdbc, conversion.sourceOid()), 100) > 0) {
            // until the log is empty
        }
    }

    void copyEverything() {
        while (records.get(conversion.id()).phase() == ConversionPhase.BACKFILLING) {
            batch(150);
            replayAll();
        }
        replayAll();
    }

    String rows(String table) {
        return jdbc.queryForObject(ROWS.formatted(table), String.class);
    }

    @Test
    void aRowUpdatedAfterItsBatchIsCopiedAgain() {
        batch(300);
        jdbc.update("UPDATE " + SOURCE + " SET note = 'changed after its batch' WHERE \"Id\" = 10");
        copyEverything();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE));
        assertThat(jdbc.queryForObject("SELECT note FROM " + STAGED + " WHERE \"Id\" = 10", String.class))
                .isEqualTo("changed after its batch");
    }

    @Test
    void aPartitionKeyMovedAcrossMonthsByAWriterStillOpenDuringItsBatchEndsInItsNewMonthOnly() throws Exception {
        try (Connection writer = db.connect(); Statement statement = writer.createStatement()) {
            writer.setAutoCommit(false);
            statement.executeUpdate("UPDATE " + SOURCE + " SET ts = ts - interval '40 days' WHERE \"Id\" = 20");
            batch(300); // reads row 20 as it was: the writer has not committed
            writer.commit();
        }
        copyEverything();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + STAGED + " WHERE \"Id\" = 20", Integer.class)).isOne();
    }

    @Test
    void aRowDeletedBeforeItsBatchIsNeverCopied() {
        batch(100);
        jdbc.update("DELETE FROM " + SOURCE + " WHERE \"Id\" = 500");
        copyEverything();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + STAGED + " WHERE \"Id\" = 500", Integer.class)).isZero();
    }

    @Test
    void rowsDeletedByACascadeFromTheReferencedTableAreDeletedFromTheCopy() {
        batch(600);
        jdbc.update("DELETE FROM \"Mixed Schema\".\"Runs\" WHERE id = 3"); // cascades to copied and uncopied rows
        // the copy's own foreign key cascaded too: nothing for replay to do, nothing logged
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + STAGED + " WHERE \"Run\" = 3", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM partwarden.conversion_change", Integer.class)).isZero();
        copyEverything();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + STAGED + " WHERE \"Run\" = 3", Integer.class)).isZero();
    }

    @Test
    void aRowDeletedWhileItsRunStaysIsLoggedWhateverTheTriggerDepth() {
        batch(600);
        jdbc.execute("""
                CREATE FUNCTION "Mixed Schema".purge() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN DELETE FROM "Mixed Schema"."Events" WHERE "Run" = NEW.id; RETURN NULL; END $$;
                CREATE TRIGGER purge AFTER UPDATE ON "Mixed Schema"."Runs" FOR EACH ROW EXECUTE FUNCTION "Mixed Schema".purge();
                """);
        jdbc.update("UPDATE \"Mixed Schema\".\"Runs\" SET id = id WHERE id = 4"); // the run stays, its events go
        assertThat(jdbc.queryForObject("SELECT count(*) FROM partwarden.conversion_change", Integer.class)).isEqualTo(100);
        copyEverything();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + STAGED + " WHERE \"Run\" = 4", Integer.class)).isZero();
    }

    @Test
    void aBatchPassesOverTheEventsOfARunBeingDeletedAndReplayDropsThemOnceTheDeleteCommits() throws Exception {
        Backfill.Batch batch = batchWhileRunThreeIsBeingDeleted(true);
        assertThat(batch.read()).isEqualTo(300);
        assertThat(batch.copied()).isEqualTo(270); // every tenth row is run 3's: logged for replay instead
        copyEverything();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + STAGED + " WHERE \"Run\" = 3", Integer.class)).isZero();
    }

    @Test
    void theEventsABatchPassedOverAreCopiedWhenTheDeleteOfTheirRunRollsBack() throws Exception {
        assertThat(batchWhileRunThreeIsBeingDeleted(false).copied()).isEqualTo(270);
        copyEverything();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + STAGED + " WHERE \"Run\" = 3", Integer.class)).isEqualTo(100);
    }

    /** A batch of 300 after the first 100, while a transaction deletes run 3 (its cascade uncommitted); then it ends. */
    Backfill.Batch batchWhileRunThreeIsBeingDeleted(boolean commit) throws Exception {
        batch(100);
        try (Connection deleter = db.connect(); Statement statement = deleter.createStatement()) {
            deleter.setAutoCommit(false);
            statement.executeUpdate("DELETE FROM \"Mixed Schema\".\"Runs\" WHERE id = 3");
            Backfill.Batch batch = CompletableFuture.supplyAsync(() -> batch(300)).get(20, TimeUnit.SECONDS); // no wait
            if (commit) {
                deleter.commit();
            } else {
                deleter.rollback();
            }
            return batch;
        }
    }

    @Test
    void anExplicitIdInsertedIntoTheUncopiedRangeAndAChangedIdAreCopiedOnce() {
        jdbc.update("DELETE FROM " + SOURCE + " WHERE \"Id\" = 700");
        batch(100);
        jdbc.update("INSERT INTO " + SOURCE + " (\"Id\", \"Run\", ts, note) VALUES (700, 1, now(), 'put back')");
        jdbc.update("UPDATE " + SOURCE + " SET \"Id\" = 1000000 WHERE \"Id\" = 50"); // already copied
        jdbc.update("UPDATE " + SOURCE + " SET \"Id\" = 2000000 WHERE \"Id\" = 900"); // not yet copied
        copyEverything();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + STAGED + " WHERE \"Id\" IN (50, 900)", Integer.class)).isZero();
    }

    @Test
    void aTruncateMidCopyStartsTheCopyAgainFromWhatTheTableHoldsThen() {
        batch(400);
        jdbc.execute("TRUNCATE " + SOURCE);
        jdbc.update("INSERT INTO " + SOURCE + " (\"Run\", ts, note) SELECT 1, now(), 'after truncate' FROM generate_series(1, 50)");
        replayAll();
        assertThat(records.get(conversion.id()).phase()).isEqualTo(ConversionPhase.BACKFILLING);
        copyEverything();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE)).startsWith("50:");
    }

    @Test
    void aChangeCommittedAfterALaterOneWasAppliedIsStillApplied() throws Exception {
        copyEverything();
        try (Connection first = db.connect(); Statement statement = first.createStatement()) {
            first.setAutoCommit(false);
            statement.executeUpdate("INSERT INTO " + SOURCE + " (\"Run\", ts, note) VALUES (1, now(), 'committed last')");
            jdbc.update("INSERT INTO " + SOURCE + " (\"Run\", ts, note) VALUES (2, now(), 'committed first')");
            replayAll(); // applies the later log row; the earlier one is not visible yet
            first.commit();
        }
        replayAll();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE)).startsWith("1002:");
    }

    @Test
    void aRowWrittenFarInThePastGetsItsMonthMadeByTheDriver() {
        jdbc.update("INSERT INTO " + SOURCE + " (\"Run\", ts, note) VALUES (1, '2001-02-03', 'ancient')");
        assertThatThrownBy(this::copyEverything).hasMessageContaining("no partition of relation");
        // the driver makes the month on that failure (SQLState 23514); here as it does it
        new MissingMonths(jdbc, transactions, Duration.ofMillis(500))
                .make(records.get(conversion.id()), STAGED, Replay.nextKeys(records.get(conversion.id())),
                        conversion.id(), ChangeCapture.FORWARD, 100);
        copyEverything();
        assertThat(rows(STAGED)).isEqualTo(rows(SOURCE));
    }

    @Test
    void theCutoverSwapsTheNamesKeepingEveryRowAndTheSequence() {
        copyEverything();
        jdbc.update("UPDATE " + SOURCE + " SET note = 'just before the cut-over' WHERE \"Id\" = 1");
        String before = rows(SOURCE);
        Replay replay = new Replay(jdbc, transaction, records, Duration.ofSeconds(10));
        new Cutover(jdbc, transactions, records, replay, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ZERO)
                .attempt(conversion.id(), columns);
        assertThat(records.get(conversion.id()).phase()).isEqualTo(ConversionPhase.CONVERTED);
        assertThat(jdbc.queryForObject("SELECT relkind::text FROM pg_class WHERE oid = '" + SOURCE + "'::regclass", String.class))
                .isEqualTo("p");
        assertThat(rows(SOURCE)).isEqualTo(before);
        assertThat(rows("\"Mixed Schema\".\"Events_unpartitioned\"")).isEqualTo(before);
        Long id = jdbc.queryForObject("INSERT INTO " + SOURCE + " (\"Run\", ts) VALUES (1, now()) RETURNING \"Id\"", Long.class);
        assertThat(id).isGreaterThan(1000);
        assertThat(jdbc.queryForObject("SELECT pg_get_serial_sequence(?, 'Id')", String.class, SOURCE))
                .isEqualTo("\"Mixed Schema\".\"Events_Id_seq\"");
        // the kept table follows through the reverse log
        jdbc.update("DELETE FROM " + SOURCE + " WHERE \"Id\" = 2");
        while (replay.round(records.get(conversion.id()), ChangeCapture.REVERSE, columns,
                References.read(jdbc, conversion.sourceOid()), 100) > 0) {
            // until the reverse log is empty
        }
        assertThat(rows("\"Mixed Schema\".\"Events_unpartitioned\"")).isEqualTo(rows(SOURCE));
        Map<String, Object> leftovers = jdbc.queryForMap("SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = 'partwarden' AND c.relname LIKE 'Events%') AS staged");
        assertThat(leftovers).containsEntry("staged", 0L);
    }

    @Test
    void givingUpBeforeTheCutOverLeavesThePlainTableAsItWasAndNothingOfTheConversion() {
        batch(300);
        jdbc.update("UPDATE " + SOURCE + " SET note = 'during' WHERE \"Id\" = 5");
        String source = rows(SOURCE);
        new Rollback(jdbc, transactions, records, new Replay(jdbc, transaction, records, Duration.ofSeconds(10)),
                Duration.ofMillis(500), 5).abandon(conversion.id());
        assertThat(rows(SOURCE)).isEqualTo(source);
        assertThat(records.get(conversion.id()).phase()).isEqualTo(ConversionPhase.ABANDONED);
        assertThat(jdbc.queryForObject("SELECT to_regclass('" + STAGED + "') IS NULL", Boolean.class)).isTrue();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + SOURCE + "'::regclass"
                + " AND NOT tgisinternal", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM partwarden.conversion_change", Long.class)).isZero();
        jdbc.update("INSERT INTO " + SOURCE + " (\"Run\", ts) VALUES (1, now())"); // writers go on, nothing captured
        assertThat(jdbc.queryForObject("SELECT count(*) FROM partwarden.conversion_change", Long.class)).isZero();
    }
}
