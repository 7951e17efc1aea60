package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.catalog.TableName;
import io.partwarden.testing.Commands;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The configured tables are checked against the catalog before the migration, so a wrong name on
 * a database Partwarden never ran on changes nothing; a problem only the migrated database shows
 * (a derived name too long, checked with the functions the migration installs) says exactly what
 * the migration had done.
 */
@ExtendWith(OutputCaptureExtension.class)
@VersionSensitive
class TableCheckBeforeMigrationTest {

    static final TableName EVENTS = new TableName("public", "workflow_events");

    static TestDatabase meshHook(String hint) {
        TestDatabase db = TestDatabase.create(hint);
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");
        return db;
    }

    static String relkind(TestDatabase db, String table) {
        return db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = ?::regclass", String.class, table);
    }

    static boolean migrated(TestDatabase db) {
        return db.jdbc().queryForObject("SELECT to_regnamespace('partwarden') IS NOT NULL", Boolean.class);
    }

    @Test
    void aWrongTableNameOnAFreshDatabaseStopsStartUpBeforeTheMigrationChangesAnything(CapturedOutput output) {
        try (TestDatabase db = meshHook("wrong_name")) {
            assertThatThrownBy(() -> Commands.run(db, "--once", "--partwarden.tables[0].name=workflow_evnts"))
                    .hasStackTraceContaining("partwarden.tables[0].name: public.workflow_evnts does not exist");

            assertThat(output.getAll()).contains("Nothing was changed in the database.");
            assertThat(relkind(db, "workflow_events")).as("still the plain table").isEqualTo("r");
            assertThat(migrated(db)).as("no schema partwarden").isFalse();
        }
    }

    @Test
    void aProblemFoundAfterTheMigrationSaysWhatTheMigrationDid(CapturedOutput output) {
        String longName = "t".repeat(42); // its partitions' bounds check would be 64 bytes
        try (TestDatabase db = meshHook("after_migration")) {
            db.execute("CREATE TABLE " + longName + " (ts timestamptz NOT NULL) PARTITION BY RANGE (ts)");

            assertThatThrownBy(() -> Commands.run(db, "--once", "--partwarden.tables[0].name=workflow_events",
                    "--partwarden.tables[1].name=" + longName))
                    .hasStackTraceContaining("partwarden.tables[1].name: public." + longName);

            assertThat(output.getAll()).contains("The migration had already run, before this check: 10 migrations applied,"
                    + " schema partwarden is at version 11, and public.workflow_events was converted from a plain table to"
                    + " monthly partitions. No maintenance pass ran.").doesNotContain("Nothing was changed in the database");
            assertThat(relkind(db, "workflow_events")).isEqualTo("p");
        }
    }

    @Test
    void beforeTheMigrationTheEventsTableIsCheckedAgainstWhatTheMigrationWillMakeOfIt() {
        try (TestDatabase db = meshHook("events_column")) {
            TableCheck check = new TableCheck(db.jdbc());

            assertThat(check.problemsBeforeMigration(TestProperties.partwarden(Map.of("tables[0].name", "workflow_events")), EVENTS))
                    .isEmpty();
            assertThat(check.problemsBeforeMigration(TestProperties.partwarden(Map.of("tables[0].name", "workflow_events",
                    "tables[0].column", "created_at")), EVENTS)).containsExactly("partwarden.tables[0].column: public.workflow_events"
                    + " is to be converted by the migration, partitioned by range on ts, not on created_at");
        }
    }

    @Test
    void beforeTheMigrationOtherTablesMustBePartitionedByRangeOnTheirTimestamptzColumn() {
        try (TestDatabase db = TestDatabase.create("other_tables")) {
            db.execute("""
                    CREATE TABLE plain_events (at timestamptz NOT NULL);
                    CREATE TABLE listed (kind text NOT NULL, at timestamptz NOT NULL) PARTITION BY LIST (kind);
                    CREATE TABLE local_time (at timestamp NOT NULL) PARTITION BY RANGE (at);
                    CREATE TABLE samples (at timestamptz NOT NULL) PARTITION BY RANGE (at);""");
            TableCheck check = new TableCheck(db.jdbc());

            assertThat(check.problemsBeforeMigration(TestProperties.partwarden(Map.of(
                    "tables[0].name", "plain_events", "tables[0].column", "at",
                    "tables[1].name", "listed", "tables[1].column", "at",
                    "tables[2].name", "local_time", "tables[2].column", "at",
                    "tables[3].name", "samples", "tables[3].column", "ts",
                    "tables[4].name", "samples", "tables[4].column", "at")), EVENTS)).containsExactly(
                    "partwarden.tables[0].name: public.plain_events is not partitioned (a plain table): Partwarden manages"
                            + " tables declared with PARTITION BY RANGE (a timestamptz column)",
                    "partwarden.tables[1].name: public.listed is partitioned by LIST (kind), not by range on one column",
                    "partwarden.tables[2].name: partition key public.local_time.at is of type timestamp without time zone,"
                            + " not timestamptz",
                    "partwarden.tables[3].column: public.samples is partitioned by range on at, not on ts");
        }
    }
}
