package io.partwarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.cli.ExitCode;
import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The configuration is checked before anything connects: an unknown name, or a value that is not
 * valid, stops start-up with exit code 2 and a report in the README's words (the accepted forms,
 * values as written), without the context's long "cancelling refresh attempt" warning; a valid
 * one is logged, table by table, once.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationAtStartTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String REFRESH_WARNING = "cancelling refresh attempt";

    /** The database was not touched: no migration ran. */
    static void untouched(TestDatabase db) {
        assertThat(db.jdbc().queryForObject("SELECT to_regnamespace('partwarden') IS NULL", Boolean.class))
                .as("nothing was migrated").isTrue();
    }

    @Test
    void anUnknownTablePropertyIsRefusedBeforeAnyDatabaseWorkSuggestingTheNearestOne(CapturedOutput output) {
        assertThatThrownBy(() -> Commands.run(database.get(), "--once", "--partwarden.tables[0].premak=6"))
                .satisfies(e -> assertThat(ExitCode.of(e)).isEqualTo(2))
                .hasMessageContaining("partwarden.tables[0].premak (from the command line) is not a property; did you mean premake?");

        untouched(database.get());
        assertThat(output).contains("did you mean premake?").doesNotContain(REFRESH_WARNING);
    }

    @Test
    void aTablePropertyAtTheTopIsRefusedShowingWhereItBelongs(CapturedOutput output) {
        assertThatThrownBy(() -> Commands.run(database.get(), "--dry-run", "--partwarden.retention=12m"))
                .hasMessageContaining("partwarden.retention (from the command line) is not a property; did you mean tables[0].retention?");

        untouched(database.get());
        assertThat(output).doesNotContain(REFRESH_WARNING);
    }

    @Test
    void aPeriodThatIsNotValidListsTheAcceptedForms(CapturedOutput output) {
        assertThatThrownBy(() -> Commands.run(database.get(), "--once", "--partwarden.tables[0].retention=12 months"))
                .satisfies(e -> assertThat(ExitCode.of(e)).isEqualTo(2));

        untouched(database.get());
        assertThat(output).contains("partwarden.tables[0].retention: '12 months' is not a period; write it as 12m (months),"
                + " 90d (days), 2w (weeks), 1y (years), combined as 1y6m, or ISO-8601 such as P1Y2M")
                .doesNotContain(REFRESH_WARNING);
    }

    @Test
    void aValueNotAmongTheAllowedListsThemAsTheReadmeWritesThem(CapturedOutput output) {
        assertThatThrownBy(() -> Commands.run(database.get(), "--once", "--partwarden.tables[0].on-retire=archive_tabel"));

        assertThat(output).contains("partwarden.tables[0].on-retire: 'archive_tabel' is not one of drop, detach, archive, archive-table")
                .doesNotContain("ARCHIVE_TABLE").doesNotContain(REFRESH_WARNING);
        assertThatThrownBy(() -> Commands.run(database.get(), "--once", "--partwarden.tables[0].interval=fortnight"));
        assertThat(output).contains("partwarden.tables[0].interval: 'fortnight' is not one of day, week, month, quarter, year")
                .doesNotContain("QUARTER");
    }

    @Test
    void aConversionMethodNotAmongTheAllowedListsThemAndAZeroDurationSaysWhyItMustBePositive(CapturedOutput output) {
        assertThatThrownBy(() -> Commands.run(database.get(), "--once", "--partwarden.migration.conversion=fast"))
                .satisfies(e -> assertThat(ExitCode.of(e)).isEqualTo(2));
        assertThat(output).contains("partwarden.migration.conversion: 'fast' is not one of auto, online, in-place")
                .doesNotContain("IN_PLACE").doesNotContain(REFRESH_WARNING);

        assertThatThrownBy(() -> Commands.run(database.get(), "--once", "--partwarden.migration.online.batch-target=0s"))
                .satisfies(e -> assertThat(ExitCode.of(e)).isEqualTo(2));
        assertThat(output).contains("partwarden.migration.online.batch-target: 0s is not a positive duration (a batch would be"
                + " sized to take no time); write one as 500ms, 30s, 10m, 1h, 2d, or ISO-8601 such as PT10M");

        assertThatThrownBy(() -> Commands.run(database.get(), "--once", "--partwarden.migration.online.finish-after=-1d"))
                .satisfies(e -> assertThat(ExitCode.of(e)).isEqualTo(2));
        assertThat(output).contains("partwarden.migration.online.finish-after: -1d is negative; give 0 or more (0 keeps the old"
                + " table until --finish-conversion)");
        untouched(database.get());
    }

    @Test
    void aConstraintBrokenIsNamedWithWhatWasGiven(CapturedOutput output) {
        assertThatThrownBy(() -> Commands.run(database.get(), "--once", "--partwarden.tables[0].premake=-1"))
                .satisfies(e -> assertThat(ExitCode.of(e)).isEqualTo(2));

        assertThat(output).contains("partwarden.tables[0].premake: must be greater than or equal to 0 (given: -1)")
                .doesNotContain(REFRESH_WARNING);
    }

    @Test
    void aTableTheDatabaseLacksIsReportedWithoutTheRefreshWarningAndExitsTwo(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("config_no_table")) {
            assertThatThrownBy(() -> Commands.run(db, "--once", "--partwarden.tables[0].premake=3",
                    "--partwarden.tables[1].name=no_such_table"))
                    .satisfies(e -> assertThat(ExitCode.of(e)).isEqualTo(2));
        }
        assertThat(output).contains("partwarden.tables[1].name: public.no_such_table").doesNotContain(REFRESH_WARNING);
    }

    @Test
    void theEffectiveConfigurationOfEachTableIsLoggedOnceAsTheReadmeWritesIt(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("config_effective")) {
            db.runScript("demo/meshhook.sql");
            db.execute("CREATE TABLE audit (at timestamptz NOT NULL) PARTITION BY RANGE (at)");

            assertThat(Commands.run(db, "--once", "--partwarden.tables[0].retention=12m",
                    "--partwarden.tables[0].lock-timeout=1s", "--partwarden.tables[0].detach-timeout=600000ms",
                    "--partwarden.tables[1].name=audit", "--partwarden.tables[1].column=at", "--partwarden.tables[1].interval=day",
                    "--partwarden.tables[1].premake=2", "--partwarden.tables[1].on-retire=archive-table",
                    "--partwarden.tables[1].time-zone=Europe/Berlin")).isZero();
        }
        String first = "partwarden.tables[0]: name=public.workflow_events, column=ts, interval=month, premake=3, retention=12m,"
                + " on-retire=drop, time-zone=UTC, lock-timeout=1s, max-attempts=5, detach-timeout=10m, default-partition=false";
        String second = "partwarden.tables[1]: name=audit, column=at, interval=day, premake=2, retention=none (nothing is removed),"
                + " on-retire=archive-table, time-zone=Europe/Berlin, lock-timeout=300ms, max-attempts=5,"
                + " archive-table=audit_archive, default-partition=false";
        String migration = "partwarden.migration: conversion=auto, online-above=100000, lock-timeout=500ms, lock-attempts=40,"
                + " online.batch-rows=1000, online.batch-target=200ms, online.rows-per-second=0 (no limit),"
                + " online.max-replica-lag=10s, online.cutover-backlog=1000, online.cutover-hold=400ms,"
                + " online.cutover-timeout=30m, online.finish-after=7d";
        assertThat(output.getOut()).contains(first).contains(second).contains(migration);
        assertThat(output.getOut().split(java.util.regex.Pattern.quote(first), -1)).as("logged once").hasSize(2);
    }
}
