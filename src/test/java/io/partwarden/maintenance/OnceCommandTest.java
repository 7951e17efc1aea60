package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.PartwardenApplication;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.VersionSensitive;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** {@code --once} as the command line runs it: migrate, one pass, an exit code. */
@ExtendWith(OutputCaptureExtension.class)
@VersionSensitive
class OnceCommandTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static String causes(Throwable failure) {
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            messages.append(cause.getMessage()).append('\n');
        }
        return messages.toString();
    }

    static int runOnce(TestDatabase db, String... extra) {
        List<String> args = new ArrayList<>(List.of("--once"));
        args.addAll(List.of(extra));
        return run(db, args.toArray(String[]::new));
    }

    /** Runs the application as its command line would, and returns its exit code. */
    static int run(TestDatabase db, String... extra) {
        return io.partwarden.testing.Commands.run(db, extra);
    }

    @Test
    void onAMeshHookDatabaseItConvertsTheTableMakesThePremakeMonthsAndExitsZero() {
        try (TestDatabase db = TestDatabase.create("once_meshhook")) {
            convertsAndMakesPremakeMonths(db);
        }
    }

    private static void convertsAndMakesPremakeMonths(TestDatabase db) {
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");

        assertThat(runOnce(db, "--partwarden.tables[0].name=workflow_events", "--partwarden.tables[0].premake=5")).isZero();

        assertThat(db.jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class)).isEqualTo(10_000L);
        String newest = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).plusMonths(5));
        assertThat(db.jdbc().queryForObject(
                "SELECT max(partition_name::text) FROM partwarden.partitions('workflow_events')", String.class)).isEqualTo(newest);
    }

    @Test
    void aTableThatCannotBeMaintainedMakesItExitOneWithoutStoppingTheOthers() {
        try (TestDatabase db = TestDatabase.create("once_broken")) {
            YearMonth now = YearMonth.now(ZoneOffset.UTC);
            db.execute("""
                    CREATE TABLE metrics (at timestamptz NOT NULL) PARTITION BY RANGE (at);
                    CREATE TABLE blocked (at timestamptz NOT NULL) PARTITION BY RANGE (at);
                    CREATE TABLE blocked_y%04dm%02d (note text);""".formatted(now.getYear(), now.getMonthValue()));
            int code = runOnce(db, "--partwarden.tables[0].name=blocked", "--partwarden.tables[0].column=at",
                    "--partwarden.tables[1].name=metrics", "--partwarden.tables[1].column=at",
                    "--partwarden.tables[1].premake=1");
            assertThat(code).isEqualTo(1);
            assertThat(db.jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions('metrics')", Long.class))
                    .isEqualTo(2L);
            assertThat(db.jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions('blocked')", Long.class))
                    .as("the months after the blocked one are still made").isEqualTo(3L);
        }
    }

    @Test
    void anInstanceFindingTheLockHeldWaitsBoundedlyThenReportsTheSkipAndExitsZero(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("once_locked")) {
            io.partwarden.testing.TestProperties.migrate(db);
            db.execute("""
                    INSERT INTO partwarden.shedlock VALUES ('partwarden-maintenance',
                      timezone('utc', now()) + interval '1 hour', timezone('utc', now()), 'another replica')""");
            assertThat(runOnce(db, "--partwarden.lock.once-wait=2s")).isZero();
            assertThat(output.getOut()).contains("Another instance holds lock partwarden-maintenance: waiting up to 2s for it")
                    .contains("Skipped the maintenance pass: another instance still holds lock partwarden-maintenance");
        }
    }

    @Test
    void aTableThatIsNotThereStopsStartUpNamingTheProperty() {
        assertThatThrownBy(() -> runOnce(database.get(), "--partwarden.tables[0].name=workflow_events",
                "--partwarden.tables[1].name=no_such_table"))
                .hasStackTraceContaining("partwarden.tables[1].name: public.no_such_table")
                .hasStackTraceContaining("does not exist");
    }

    @Test
    void aTablePartitionedOnAnotherColumnStopsStartUpNamingTheProperty() {
        assertThatThrownBy(() -> runOnce(database.get(), "--partwarden.tables[0].name=workflow_events",
                "--partwarden.tables[0].column=created_at"))
                .hasStackTraceContaining("partwarden.tables[0].column: public.workflow_events is partitioned by range on ts, not on created_at");
    }

    @Test
    void aTableNameTooLongForItsPartitionsNamesStopsStartUpBeforeAnyPass() {
        String table = "t".repeat(42);
        database.get().execute("CREATE TABLE " + table + " (ts timestamptz NOT NULL) PARTITION BY RANGE (ts)");

        assertThatThrownBy(() -> runOnce(database.get(), "--partwarden.tables[0].name=" + table))
                .hasStackTraceContaining("partwarden.tables[0].name: public." + table)
                .hasStackTraceContaining(table + "_y").hasStackTraceContaining("_bounds_check, 64 bytes, longer than PostgreSQL's limit of 63 bytes")
                .hasStackTraceContaining("give the table a name of at most 41 bytes");
        assertThat(database.get().jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions(?::regclass)", Long.class, table))
                .as("no pass ran").isZero();
    }

    @Test
    void anUnknownIntervalStopsStartUpNamingThePropertyAndTheAllowedValues() {
        assertThatThrownBy(() -> runOnce(database.get(), "--partwarden.tables[0].name=workflow_events",
                "--partwarden.tables[0].interval=fortnight"))
                .satisfies(e -> assertThat(causes(e)).contains("Failed to bind properties under 'partwarden.tables[0].interval'"));
    }

    @Test
    void aNegativePremakeStopsStartUpNamingTheProperty() {
        assertThatThrownBy(() -> runOnce(database.get(), "--partwarden.tables[0].name=workflow_events",
                "--partwarden.tables[0].premake=-1"))
                .rootCause().hasMessageContaining("partwarden.tables[0].premake");
    }
}
