package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Commands;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * {@code --dry-run} on a database Partwarden has never migrated, the first thing a careful
 * operator runs: it says what the migration would do (convert, create or adopt workflow_events),
 * then the first pass's plan, exits 0, and changes nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
@VersionSensitive
class FirstDryRunTest {

    /** A lock stronger than ACCESS SHARE on a held table waits for the holder: this makes it fail instead. */
    static final String FAIL_ON_LOCK_WAIT = "--spring.datasource.hikari.connection-init-sql=SET lock_timeout = '5s'";

    static TestDatabase meshHook(String hint) {
        TestDatabase db = TestDatabase.create(hint);
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");
        return db;
    }

    static boolean migrated(TestDatabase db) {
        return db.jdbc().queryForObject("SELECT to_regnamespace('partwarden') IS NOT NULL", Boolean.class);
    }

    static String month(YearMonth month) {
        return month.toString();
    }

    /**
     * While the dry run runs, this test holds EXCLUSIVE on workflow_events and workflow_runs. EXCLUSIVE
     * conflicts with every lock but ACCESS SHARE (what reads take), so a dry run that took anything
     * stronger on either table, to write, convert or lock it, would have waited for the test and
     * failed under its 5 s lock_timeout. That it exits 0, and that afterwards there is no schema
     * partwarden and workflow_events is the same plain table (same file, same rows), shows it read
     * and nothing else.
     */
    @Test
    void onAPlainWorkflowEventsItPrintsTheConversionAndTheFirstPassTakingNoLockBeyondReading(CapturedOutput output)
            throws Exception {
        try (TestDatabase db = meshHook("dry_plain")) {
            db.execute("CREATE TABLE samples (at timestamptz NOT NULL) PARTITION BY RANGE (at)");
            long file = db.jdbc().queryForObject("SELECT relfilenode::bigint FROM pg_class WHERE oid = 'workflow_events'::regclass",
                    Long.class);
            YearMonth oldest = YearMonth.from(db.jdbc().queryForObject("SELECT min(ts) FROM workflow_events", OffsetDateTime.class)
                    .withOffsetSameInstant(ZoneOffset.UTC));
            YearMonth now = YearMonth.now(ZoneOffset.UTC);
            int code;
            try (Connection holder = db.connect(); Statement hold = holder.createStatement()) {
                holder.setAutoCommit(false);
                hold.execute("LOCK TABLE workflow_events, workflow_runs IN EXCLUSIVE MODE");

                code = Commands.run(db, "--dry-run", FAIL_ON_LOCK_WAIT, "--partwarden.tables[0].name=workflow_events",
                        "--partwarden.tables[0].premake=5", "--partwarden.tables[1].name=samples",
                        "--partwarden.tables[1].column=at");
                holder.rollback();
            }

            assertThat(code).isZero();
            assertThat(output.getOut())
                    .contains("-- pending migration, applied first by a real run: V3 workflow events")
                    .contains("--   converts public.workflow_events, a plain table, to monthly partitions, in one transaction:")
                    .contains("--     rows: 10,000 (counted)")
                    .contains("--     size: ")
                    .contains(", month " + month(oldest) + "; newest: ts ")
                    .contains("--     makes " + (oldest.until(now.plusMonths(3), java.time.temporal.ChronoUnit.MONTHS) + 1)
                            + " monthly partitions, " + month(oldest) + " to " + month(now.plusMonths(3)) + ": public."
                            + MonthlyPartitions.name(oldest) + " ... " + MonthlyPartitions.name(now.plusMonths(3)))
                    .contains("--     writers wait under a second: the conversion holds ACCESS EXCLUSIVE on public.workflow_events"
                            + " (and SHARE ROW EXCLUSIVE on public.workflow_runs) from its first statement to its commit")
                    .contains("an estimate, scaled by rows and by size from docs/benchmarks.md")
                    .contains("-- public.workflow_events, its first pass once the migration has run: 2 actions")
                    .contains("-- create public." + MonthlyPartitions.name(now.plusMonths(4)) + " [")
                    .contains("-- create public." + MonthlyPartitions.name(now.plusMonths(5)) + " [")
                    .contains("-- public.samples, its first pass once the migration has run: 4 actions")
                    .contains("-- create public.samples_y" + String.format("%04dm%02d", now.getYear(), now.getMonthValue()) + " [")
                    .contains("-- the exact SQL is printed once the migration has run: partwarden.partition_ddl")
                    .doesNotContain("refuses", "cannot plan");
            assertThat(migrated(db)).as("no schema partwarden").isFalse();
            assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass",
                    String.class)).isEqualTo("r");
            assertThat(db.jdbc().queryForObject("SELECT relfilenode::bigint FROM pg_class WHERE oid = 'workflow_events'::regclass",
                    Long.class)).as("the same table file").isEqualTo(file);
            assertThat(db.jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class)).isEqualTo(10_000L);
            assertThat(db.jdbc().queryForObject("SELECT count(*) FROM pg_class WHERE relname LIKE 'workflow_events_y%'", Long.class))
                    .isZero();
        }
    }

    /** On a database that refuses every write, the dry run still runs: it writes nothing at all. */
    @Test
    void onADatabaseWithoutWorkflowEventsItPrintsTheCreationAndWritesNothing(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("dry_absent")) {
            String name = db.jdbc().queryForObject("SELECT current_database()", String.class);
            db.execute("ALTER DATABASE " + name + " SET default_transaction_read_only = on");
            YearMonth now = YearMonth.now(ZoneOffset.UTC);

            assertThat(Commands.run(db, "--dry-run", "--partwarden.tables[0].name=workflow_events")).isZero();

            assertThat(output.getOut())
                    .contains("--   creates public.workflow_events (it does not exist) as the spec's Table Structure, partitioned by"
                            + " range on ts by month, with the spec's three indexes and no foreign key: public.workflow_runs does"
                            + " not exist")
                    .contains("--     makes 6 monthly partitions, " + month(now.minusMonths(2)) + " to " + month(now.plusMonths(3)))
                    .contains("-- public.workflow_events, its first pass once the migration has run: nothing to do");
            assertThat(migrated(db)).isFalse();
            assertThat(db.jdbc().queryForObject("SELECT to_regclass('workflow_events') IS NULL", Boolean.class)).isTrue();
        }
    }

    @Test
    void onATableTheSpecsMigrationPartitionedItPrintsTheAdoption(CapturedOutput output) {
        try (TestDatabase db = meshHook("dry_adopt")) {
            db.runScript("fixtures/spec-migration-result.sql");

            assertThat(Commands.run(db, "--dry-run", "--partwarden.tables[0].name=workflow_events")).isZero();

            assertThat(output.getOut())
                    .contains("--   adopts public.workflow_events, already partitioned by RANGE (ts) (6 partitions): no row is rewritten")
                    .contains("--     declares the spec's indexes it lacks on (run_id), (run_id, ts), (type)")
                    .contains("--     warns: row level security is off on public.workflow_events")
                    .contains("-- public.workflow_events, its first pass once the migration has run: nothing to do");
            assertThat(migrated(db)).isFalse();
        }
    }

    @Test
    void aConversionTheMigrationWouldRefuseIsSaidAndExitsOne(CapturedOutput output) {
        try (TestDatabase db = meshHook("dry_refused")) {
            db.execute("INSERT INTO workflow_events (run_id, ts, type, payload)"
                    + " SELECT run_id, 'infinity', 'late', '{}' FROM workflow_events LIMIT 1");

            assertThat(Commands.run(db, "--dry-run", "--partwarden.tables[0].name=workflow_events")).isEqualTo(1);

            assertThat(output.getOut())
                    .contains("--     refuses, changing nothing: 1 rows have a ts of infinity or -infinity, which no partition can hold")
                    .contains("-- workflow_events: cannot plan: the migration would not run (see above)");
            assertThat(migrated(db)).isFalse();
        }
    }
}
