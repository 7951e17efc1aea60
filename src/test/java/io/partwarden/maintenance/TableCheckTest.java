package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The start-up check refuses a table whose partitions, or the names derived from them (index and
 * constraint copies, the bounds check, the default partition), would pass PostgreSQL's 63 bytes:
 * each such table otherwise fails at every pass.
 */
@VersionSensitive
class TableCheckTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static TableCheck check;

    @BeforeAll
    static void migrate() {
        TestProperties.migrate(database.get());
        check = new TableCheck(database.get().jdbc());
    }

    /** A name of exactly {@code bytes} ASCII bytes, starting with {@code prefix}. */
    static String name(String prefix, int bytes) {
        return prefix + "x".repeat(bytes - prefix.length());
    }

    static void partitionedTable(String name) {
        database.get().execute("CREATE TABLE \"" + name + "\" (id bigint NOT NULL, ts timestamptz NOT NULL, run_id bigint,"
                + " PRIMARY KEY (id, ts)) PARTITION BY RANGE (ts)");
    }

    static List<String> problems(String table, String... settings) {
        Map<String, String> properties = new HashMap<>(Map.of("tables[0].name", table));
        for (int i = 0; i < settings.length; i += 2) {
            properties.put(settings[i], settings[i + 1]);
        }
        return check.problems(TestProperties.partwarden(properties));
    }

    @Test
    void aMonthlyTableOf41BytesFitsEveryDerivedName() {
        String table = name("fits_", 41);
        partitionedTable(table);

        assertThat(problems(table)).isEmpty();
    }

    @Test
    void aMonthlyTableOf42BytesIsRefusedForItsBoundsCheckNamingTheNameItsLengthTheLimitAndAWayOut() {
        String table = name("bounds_", 42);
        partitionedTable(table);

        assertThat(problems(table)).containsExactly("partwarden.tables[0].name: public." + table
                + ": the CHECK constraint a partition carries until it is attached would be named " + table
                + "_y2000m12_bounds_check, 64 bytes, longer than PostgreSQL's limit of 63 bytes on names,"
                + " so every pass would fail on it; give the table a name of at most 41 bytes");
    }

    @Test
    void lengthsAreCountedInBytesNotCharacters() {
        String table = "é".repeat(21); // 21 characters, 42 bytes in UTF-8
        partitionedTable(table);

        assertThat(problems(table)).singleElement().asString()
                .contains(table + "_y2000m12_bounds_check, 64 bytes").contains("at most 41 bytes");
    }

    @Test
    void anIndexWhoseCopyWouldBeTooLongIsNamedWithBothWaysOut() {
        String table = name("indexed_", 41);
        partitionedTable(table);
        database.get().execute("CREATE INDEX by_run_and_time ON \"" + table + "\" (run_id, ts)");

        assertThat(problems(table)).containsExactly("partwarden.tables[0].name: public." + table
                + ": a partition's copy of index by_run_and_time would be named " + table + "_y2000m12_by_run_and_time_idx,"
                + " 70 bytes, longer than PostgreSQL's limit of 63 bytes on names, so every pass would fail on it;"
                + " give the table a name of at most 34 bytes, or give index public.by_run_and_time a shorter name");
    }

    @Test
    void aDailyTableOf55BytesIsRefusedForThePartitionNameAloneWhateverDerivesFromIt() {
        String table = name("daily_", 55);
        partitionedTable(table);

        assertThat(problems(table, "tables[0].interval", "day")).containsExactly("partwarden.tables[0].name: public." + table
                + ": its partitions would be named like " + table + "_y2000m12d31, 67 bytes, longer than PostgreSQL's limit"
                + " of 63 bytes on names, so every pass would fail on it; give the table a name of at most 51 bytes");
    }

    @Test
    void theDefaultPartitionsNamesAreCheckedUnderItsOwnProperty() {
        String table = name("yearly_", 56);
        partitionedTable(table);

        assertThat(problems(table, "tables[0].interval", "year", "tables[0].default-partition", "true"))
                .anySatisfy(problem -> assertThat(problem).startsWith("partwarden.tables[0].default-partition: public." + table
                        + ": its default partition would be named " + table + "_default, 64 bytes")
                        .endsWith("give the table a name of at most 55 bytes, or leave default-partition unset"));
    }

    @Test
    void aPlainEventsTableLeftForTheOnlineConversionIsAcceptedAfterTheMigration() {
        database.get().execute("CREATE SCHEMA deferred; CREATE TABLE deferred.workflow_events (id bigint PRIMARY KEY,"
                + " ts timestamptz NOT NULL, created_at timestamptz)");
        try {
            assertThat(check.problems(TestProperties.partwarden(Map.of("events-schema", "deferred")))).isEmpty();
            assertThat(check.problems(TestProperties.partwarden(Map.of("events-schema", "deferred", "tables[0].column", "created_at"))))
                    .containsExactly("partwarden.tables[0].column: deferred.workflow_events is to be converted online by the"
                            + " service, partitioned by range on ts, not on created_at");
            assertThat(problems("deferred.workflow_events")).as("the events table is deferred.workflow_events only where"
                    + " partwarden.events-schema says so").singleElement().asString()
                    .startsWith("partwarden.tables[0].name: deferred.workflow_events: ").contains("is not partitioned");
        } finally {
            database.get().execute("DROP SCHEMA deferred CASCADE");
        }
    }

    @Test
    void anotherPlainTableIsStillRefusedNamingItsProperty() {
        database.get().execute("CREATE TABLE plain_audit (id bigint PRIMARY KEY, ts timestamptz NOT NULL)");
        try {
            assertThat(check.problems(TestProperties.partwarden(Map.of("tables[0].name", "public.workflow_events",
                    "tables[1].name", "plain_audit")))).singleElement().asString()
                    .startsWith("partwarden.tables[1].name: public.plain_audit: ").contains("plain_audit is not partitioned");
        } finally {
            database.get().execute("DROP TABLE plain_audit");
        }
    }
}
