package io.partwarden.conversion;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.VersionSensitive;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * What {@code --dry-run} and {@code --verify} show of an online conversion, at each stage of one,
 * in order: to begin (the migration left the table plain), copying, blocked, converted. The dry
 * run prints each phase's statements from the engine's own builders, and runs on a database
 * whose every transaction is read-only; verify tells a conversion under way as information and a
 * blocked one as a problem.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@VersionSensitive
class ConversionDryRunTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    /** Every transaction of the service read-only: a dry run that wrote anything would fail. */
    static final String READ_ONLY = "--spring.datasource.hikari.connection-init-sql=SET default_transaction_read_only = on";
    static final String ONLINE = "--partwarden.migration.conversion=online";

    static ConversionSteps steps;
    static YearMonth oldest;

    @BeforeAll
    static void meshHookLeftPlainByTheMigration() {
        steps = ConversionSteps.meshHookLeftPlain(database.get());
        database.get().execute("ANALYZE workflow_events"); // the oldest row from the statistics, not left to autovacuum
        oldest = YearMonth.from(Instant.now().minus(Duration.ofSeconds(10_000L * 1296)).atOffset(ZoneOffset.UTC));
    }

    @Test
    @Order(1)
    void toBeginItPrintsTheMethodTheFiguresAndEachPhasesStatementsWritingNothing(CapturedOutput output) {
        YearMonth ahead = YearMonth.now(ZoneOffset.UTC).plusMonths(3);

        assertThat(Commands.run(database.get(), "--dry-run", READ_ONLY, ONLINE)).isZero();

        assertThat(output.getOut())
                .contains("-- public.workflow_events: to be converted online by the service, beside the live table; the pass"
                        + " leaves it alone until the cut-over")
                .contains("--   method: online: the migration left it a plain table for the service to convert online;"
                        + " partwarden.migration.conversion=online")
                .contains("--   rows: about 10,000 rows by the catalog's estimate")
                .contains("--   size: ", "--   disk: about ", " more for the copy (the size x 1.1), plus about as much WAL")
                .contains("--   months: " + (oldest.until(ahead, java.time.temporal.ChronoUnit.MONTHS) + 1)
                        + " monthly partitions, " + oldest + " to " + ahead)
                .contains("--   pace: batches of partwarden.migration.online.batch-rows 1,000 rows to begin with")
                .contains("-- 1. preparing: ", "-- 2. staging: ", "-- 3. backfilling: ", "-- 4. catching_up: ", "-- 5. converted: ")
                .contains("SELECT partwarden.check_online_convertible(")
                .contains("CREATE TABLE \"partwarden\".\"workflow_events\" (LIKE \"public\".\"workflow_events\" INCLUDING DEFAULTS")
                .contains("CREATE INDEX idx_workflow_events_run_ts ON \"partwarden\".\"workflow_events\" USING btree (run_id, ts);")
                .contains("SELECT partwarden.create_month_partition('\"partwarden\".\"workflow_events\"'::regclass, '"
                        + oldest + "-01 00:00:00+00'::timestamptz);")
                .contains("SELECT partwarden.create_month_partition('\"partwarden\".\"workflow_events\"'::regclass, '"
                        + ahead + "-01 00:00:00+00'::timestamptz);")
                .contains("ALTER TABLE \"partwarden\".\"workflow_events\" ADD CONSTRAINT \"workflow_events_run_id_fkey\" FOREIGN KEY")
                .contains("CREATE OR REPLACE FUNCTION \"partwarden\".\"conversion_capture_1\"() RETURNS trigger")
                .contains("CREATE TRIGGER partwarden_conversion_capture AFTER INSERT OR UPDATE OR DELETE ON \"public\".\"workflow_events\"")
                .contains("ORDER BY \"id\" LIMIT 1000)")
                .contains("DELETE FROM \"partwarden\".\"workflow_events\" WHERE \"id\" = ANY (:ids::bigint[]);")
                .contains("LOCK TABLE \"public\".\"workflow_events\" IN ACCESS EXCLUSIVE MODE;")
                .contains("ALTER TABLE \"public\".\"workflow_events\" RENAME TO \"workflow_events_unpartitioned\";")
                .contains("ALTER TABLE \"partwarden\".\"workflow_events_yYYYYmMM\" SET SCHEMA \"public\"; -- (for each partition)")
                .contains("ANALYZE \"public\".\"workflow_events\";")
                .contains("DROP TABLE IF EXISTS \"public\".\"workflow_events_unpartitioned\";")
                .contains("DROP TABLE IF EXISTS \"partwarden\".\"workflow_events\";")
                .doesNotContain("cannot plan", "refuses");
        assertThat(steps.jdbc.queryForObject("SELECT count(*) FROM partwarden.conversion", Long.class)).isZero();
        assertThat(steps.jdbc.queryForObject("SELECT to_regclass('partwarden.workflow_events') IS NULL", Boolean.class)).isTrue();
    }

    @Test
    @Order(2)
    void whileCopyingTheDryRunShowsWhereItStandsAndThePhasesLeftWithTheRealPartitions(CapturedOutput output) {
        steps.begin().backfill(3000);
        String current = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC));

        assertThat(Commands.run(database.get(), "--dry-run", READ_ONLY)).isZero();

        assertThat(steps.id).as("the id the dry run said it would get").isEqualTo(1);
        assertThat(output.getOut())
                .contains("-- public.workflow_events: being converted online (conversion 1, begun ")
                .contains("): backfilling, 3,000 rows copied of about 10,000, 30%, 0 changes waiting; the pass leaves it alone")
                .contains("--   method: online (a conversion is under way, phase backfilling)")
                .contains("; the copy so far: ")
                .contains("-- 1. preparing (done): ", "-- 2. staging (done): ", "-- 3. backfilling: ")
                .contains("ALTER TABLE \"partwarden\".\"" + current + "\" SET SCHEMA \"public\";")
                .doesNotContain("-- (for each partition)", "CREATE TABLE \"partwarden\"", "cannot plan");
    }

    @Test
    @Order(3)
    void whileCopyingVerifyTellsTheConversionUnderWayAndPasses(CapturedOutput output) {
        assertThat(Commands.run(database.get(), "--verify")).isZero();

        assertThat(output.getOut())
                .contains("INFO public.workflow_events: conversion under way (backfilling, 3,000 rows copied of about 10,000, 30%)")
                .contains("OK: every table meets the spec's invariants, but public.workflow_events, whose partitions are checked"
                        + " once its online conversion has swapped it in")
                .doesNotContain("PROBLEM");
    }

    @Test
    @Order(4)
    void aBlockedConversionIsAProblemForVerifyAndTheDryRunNamingWhy(CapturedOutput output) {
        String why = "public.workflow_events has a row written since the conversion began whose \"ts\" is NULL";
        steps.records.block(steps.id, why);
        try {
            assertThat(Commands.run(database.get(), "--verify")).isEqualTo(1);
            assertThat(Commands.run(database.get(), "--dry-run", READ_ONLY)).isEqualTo(1);
        } finally {
            steps.jdbc.update("UPDATE partwarden.conversion SET blocked = NULL WHERE id = ?", steps.id);
        }

        assertThat(output.getOut())
                .contains("PROBLEM public.workflow_events: the online conversion is blocked (backfilling), waiting for the"
                        + " operator: " + why)
                .contains("\n1 problem\n")
                .contains("--   blocked, waiting for the operator: " + why);
    }

    @Test
    @Order(5)
    void afterTheCutOverVerifyTellsTheKeptTableAndTheDryRunTheWayToFinishOrRollBack(CapturedOutput output) {
        steps.convert();

        assertThat(Commands.run(database.get(), "--verify")).isZero();
        assertThat(Commands.run(database.get(), "--dry-run", READ_ONLY)).isZero();

        assertThat(output.getOut())
                .containsPattern("INFO public.workflow_events: converted at \\S+; old table kept as"
                        + " public.workflow_events_unpartitioned until --finish-conversion \\(or finish-after \\S+\\);"
                        + " retention waits for --finish-conversion")
                .contains("OK: every table meets the spec's invariants\n")
                .contains("-- 4. catching_up (done): ", "-- 5. converted: ")
                .contains("DROP TABLE IF EXISTS \"public\".\"workflow_events_unpartitioned\";")
                .contains("ALTER TABLE \"public\".\"workflow_events_unpartitioned\" RENAME TO \"workflow_events\";")
                .contains("-- public.workflow_events: ") // the pass's plan of the partitioned table follows
                .doesNotContain("cannot plan");
    }
}
