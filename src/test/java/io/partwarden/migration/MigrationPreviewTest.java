package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A table too large to read whole for the preview is estimated, and says so: its rows from
 * pg_class.reltuples, its oldest row from an index on ts when there is one (exact), else from the
 * planner's statistics. The wait is scaled from the benchmark's figures.
 */
@VersionSensitive
class MigrationPreviewTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static YearMonth oldest;

    @BeforeAll
    static void meshHookAnalyzed() {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        database.get().execute("ANALYZE workflow_events");
        oldest = YearMonth.from(database.get().jdbc().queryForObject("SELECT min(ts) FROM workflow_events", OffsetDateTime.class)
                .withOffsetSameInstant(ZoneOffset.UTC));
    }

    /** Every table counts as too large to read whole. */
    static MigrationPreview.Preview previewEstimating() {
        return new MigrationPreview(database.get().jdbc(),
                new TransactionTemplate(new DataSourceTransactionManager(database.get().dataSource())),
                TestProperties.defaults(), 0).preview(Instant.now());
    }

    @Test
    void aLargeTableIsEstimatedFromTheStatisticsAndSaysSo() {
        assertThat(previewEstimating().lines())
                .anySatisfy(line -> assertThat(line).startsWith("  rows: about ").endsWith(
                        " (estimated: pg_class.reltuples, from the last VACUUM or ANALYZE)"))
                .anySatisfy(line -> assertThat(line).contains(", month " + oldest + "; newest: ts ")
                        .endsWith("(estimated from the planner's statistics (pg_stats), a sample: older or newer rows may exist)"));
    }

    @Test
    void withAnIndexOnTsTheEndsAreReadFromIt() {
        database.get().execute("CREATE INDEX events_by_ts ON workflow_events (ts)");
        try {
            assertThat(previewEstimating().lines()).anySatisfy(line -> assertThat(line)
                    .contains(", month " + oldest + "; newest: ts ").endsWith("(read from an index on ts)"));
        } finally {
            database.get().execute("DROP INDEX events_by_ts");
        }
    }

    @Test
    void theWaitIsScaledFromTheBenchmarkByRowsAndBySizeTheLarger() {
        assertThat(MigrationPreview.writersWait(10_000, 2_000_000)).isEqualTo("under a second");
        assertThat(MigrationPreview.writersWait(210_000, 40_837_120)).isEqualTo("about 2 s");
        assertThat(MigrationPreview.writersWait(210_000, 40_837_120L * 10)).isEqualTo("about 20 s");
        assertThat(MigrationPreview.writersWait(21_000_000, 0)).isEqualTo("about 3 min");
        assertThat(MigrationPreview.writersWait(0, 1L << 40)).isEqualTo("about 15.0 h");
    }

    static MigrationPreview.Preview preview(String... settings) {
        java.util.Map<String, String> map = new java.util.HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        return new MigrationPreview(database.get().jdbc(),
                new TransactionTemplate(new DataSourceTransactionManager(database.get().dataSource())),
                TestProperties.partwarden(map)).preview(Instant.now());
    }

    @Test
    void aSmallTableIsConvertedInPlaceAndSaysWhy() {
        assertThat(preview().lines()).startsWith(
                "converts public.workflow_events, a plain table, to monthly partitions, in one transaction:",
                "  in place: auto: about 10,000 rows by the catalog's estimate, not over partwarden.migration.online-above 100,000");
    }

    @Test
    void overOnlineAboveTheOnlinePlanIsPrintedWithTheEstimateAndTheDiskItNeeds() {
        MigrationPreview.Preview preview = preview("migration.online-above", "5000");

        assertThat(preview.refused()).isFalse();
        assertThat(preview.partitionsAfter()).isNotEmpty();
        assertThat(preview.lines().get(0)).isEqualTo("converts public.workflow_events online (auto: about 10,000 rows by the"
                + " catalog's estimate, over partwarden.migration.online-above 5,000): the migration leaves it plain; the service"
                + " then copies it in batches beside the live table and swaps it in a transaction of under a second");
        assertThat(preview.lines())
                .anySatisfy(line -> assertThat(line).startsWith("  rows: about 10,000 (estimated: pg_class.reltuples"))
                .anySatisfy(line -> assertThat(line).startsWith("  disk: about ").contains(" more for the copy"
                        + " (pg_total_relation_size x 1.1), plus about as much WAL"))
                .anySatisfy(line -> assertThat(line).contains(", month " + oldest + "; newest: ts "))
                .noneSatisfy(line -> assertThat(line).contains("ACCESS EXCLUSIVE"));
    }

    @Test
    void theOnlinePlanListsWhatTheOnlineConversionWouldRefuse() {
        database.get().execute("CREATE PUBLICATION preview_everything FOR ALL TABLES");
        try {
            MigrationPreview.Preview preview = preview("migration.conversion", "online", "migration.lock-timeout", "1h");

            assertThat(preview.refused()).isTrue();
            assertThat(preview.lines())
                    .anySatisfy(line -> assertThat(line).isEqualTo("  refuses, changing nothing: publication preview_everything"
                            + " publishes every table (FOR ALL TABLES), so it would also publish the conversion's change log"
                            + " (partwarden.conversion_change)"))
                    .anySatisfy(line -> assertThat(line).startsWith("  refuses, changing nothing: cannot convert"
                            + " public.workflow_events online: partwarden.migration.lock-timeout 1h is not below the server's"
                            + " deadlock_timeout"));
        } finally {
            database.get().execute("DROP PUBLICATION preview_everything");
        }
    }

    @Test
    void aCheckNotValidIsRefusedByBothPlans() {
        database.get().execute("ALTER TABLE workflow_events ADD CONSTRAINT preview_type_short CHECK (length(type) < 3) NOT VALID");
        try {
            for (String method : new String[] {"in-place", "online"}) {
                MigrationPreview.Preview preview = preview("migration.conversion", method);

                assertThat(preview.refused()).as(method).isTrue();
                assertThat(preview.lines()).as(method).anySatisfy(line -> assertThat(line).startsWith("  refuses, changing nothing:")
                        .contains("constraints of it are NOT VALID: preview_type_short (CHECK ((length(type) < 3)) NOT VALID)"));
            }
        } finally {
            database.get().execute("ALTER TABLE workflow_events DROP CONSTRAINT preview_type_short");
        }
    }
}
