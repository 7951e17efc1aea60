package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Partition bounds are printed and read back exactly whatever the caller's DateStyle and
 * TimeZone: a zone printed as an abbreviation (Asia/Kolkata as IST, read back as Israel time;
 * America/Havana as CST, read back as US Central) once shifted every bound the SQL API read.
 */
@VersionSensitive
class BoundsInAnySessionSettingsTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    /** Every partition, its bounds in UTC, written with to_char so DateStyle cannot change the text. */
    static final String PARTITIONS = """
            SELECT string_agg(format('%s [%s, %s)', partition_name,
                                     to_char(lower_bound AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                                     to_char(upper_bound AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')),
                              ', ' ORDER BY partition_name)
              FROM partwarden.partitions('workflow_events')""";
    static final String STATS = """
            SELECT string_agg(format('%s [%s, %s) %s', partition_name, to_char(start_date, 'YYYY-MM-DD'),
                                     to_char(end_date, 'YYYY-MM-DD'), row_count), ', ' ORDER BY partition_name)
              FROM get_workflow_events_partition_stats()""";
    static final String INFO_VIEW = """
            SELECT string_agg(format('%s.%s %s', schemaname, partition_name, row_count_estimate), ', ' ORDER BY partition_name)
              FROM workflow_events_partition_info""";
    /** Partitions whose name, lower bound or upper bound is not exactly its month at 00:00 UTC. */
    static final String MISPLACED = """
            SELECT coalesce(string_agg(partition_name::text, ', '), '') FROM partwarden.partitions('workflow_events')
             WHERE partition_name <> 'workflow_events' || to_char(lower_bound AT TIME ZONE 'UTC', '"_y"YYYY"m"MM')
                OR lower_bound <> date_trunc('month', lower_bound AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                OR upper_bound <> (lower_bound AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC'""";

    @BeforeAll
    static void convertMeshHookDatabase() {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        TestProperties.migrate(database.get());
    }

    /**
     * Runs statements in one transaction under these session settings, sent as one batch: the
     * JDBC driver insists on DateStyle ISO and closes a connection it sees change, and the
     * server reports the change only at the end of the batch, when the transaction has reset
     * it. Returns the first column of the last statement's rows.
     */
    static List<String> under(String dateStyle, String timeZone, String... statements) {
        String batch = "BEGIN; SET LOCAL DateStyle = '" + dateStyle + "'; SET LOCAL TimeZone = '" + timeZone + "'; "
                + String.join("; ", statements) + "; COMMIT";
        try (Connection connection = database.get().connect(); Statement statement = connection.createStatement()) {
            List<String> last = List.of();
            boolean isResult = statement.execute(batch);
            while (true) {
                if (isResult) {
                    List<String> rows = new ArrayList<>();
                    try (ResultSet result = statement.getResultSet()) {
                        while (result.next()) {
                            rows.add(result.getString(1));
                        }
                    }
                    last = rows;
                } else if (statement.getUpdateCount() == -1) {
                    return last;
                }
                isResult = statement.getMoreResults();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(dateStyle + " / " + timeZone + ": " + e.getMessage(), e);
        }
    }

    static String one(String query) {
        return database.get().jdbc().queryForObject(query, String.class);
    }

    @ParameterizedTest(name = "DateStyle {0}, TimeZone {1}")
    @CsvSource(delimiter = '|', value = {
            "SQL, DMY      | Asia/Kolkata     | 2040",
            "Postgres      | Asia/Kolkata     | 2041",
            "Postgres, MDY | America/Havana   | 2042",
            "German        | Pacific/Auckland | 2043",
            "SQL, MDY      | Etc/GMT-13       | 2044",
            "ISO, DMY      | Asia/Kolkata     | 2045"})
    void theSqlApiMakesAndReadsExactBoundsUnderTheseSettings(String dateStyle, String timeZone, int year) {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        String old = now.minusMonths(30).atDay(1).toString();
        String older = now.minusMonths(31).atDay(1).toString();

        under(dateStyle, timeZone, "SELECT maintain_workflow_events_partitions()");
        assertThat(under(dateStyle, timeZone,
                "SELECT create_workflow_events_partition('" + year + "-03-17'::date)",
                "SELECT create_workflow_events_partition('" + year + "-04-15 12:00:00+00'::timestamptz)",
                "SELECT create_workflow_events_partition('" + year + "-05-01 00:00:00'::timestamp)",
                "SELECT create_workflow_events_partition('" + older + "'::date)",
                "SELECT create_workflow_events_partition('" + old + "'::date)",
                "SELECT string_agg(n, ', ') FROM drop_old_workflow_events_partitions(24) n"))
                .containsExactly(MonthlyPartitions.name(now.minusMonths(31)) + ", " + MonthlyPartitions.name(now.minusMonths(30)));

        assertThat(one(MISPLACED)).isEmpty();
        List<String> names = database.get().jdbc().queryForList(
                "SELECT partition_name::text FROM partwarden.partitions('workflow_events')", String.class);
        for (int ahead = 0; ahead <= 3; ahead++) {
            assertThat(names).contains(MonthlyPartitions.name(now.plusMonths(ahead)));
        }
        for (int month = 3; month <= 5; month++) {
            assertThat(names).contains(MonthlyPartitions.name(YearMonth.of(year, month)));
        }
        assertThat(names).doesNotContain(MonthlyPartitions.name(now.minusMonths(30)), MonthlyPartitions.name(YearMonth.of(year, 2)));

        // what the SQL API reads under these settings is what an ISO, UTC session reads
        assertThat(under(dateStyle, timeZone, PARTITIONS)).containsExactly(one(PARTITIONS));
        assertThat(under(dateStyle, timeZone, STATS)).containsExactly(one(STATS));
        assertThat(under(dateStyle, timeZone, INFO_VIEW)).containsExactly(one(INFO_VIEW));
        assertThat(one(STATS)).contains(MonthlyPartitions.name(YearMonth.of(year, 3)) + " [" + year + "-03-01, " + year + "-04-01) 0");
    }

    @Test
    void theStatementsOfAPartitionWriteItsBoundsInUtcWhateverTheSettings() {
        List<String> statements = under("Postgres", "Asia/Kolkata", """
                SELECT s FROM partwarden.partition_ddl('workflow_events', 'workflow_events_y2050m01',
                                                       '2050-01-01 00:00:00+00', '2050-02-01 00:00:00+00') s""");
        assertThat(statements).contains(
                "ALTER TABLE public.workflow_events_y2050m01 ADD CONSTRAINT workflow_events_y2050m01_bounds_check"
                        + " CHECK (ts IS NOT NULL AND ts >= '2050-01-01 00:00:00+00' AND ts < '2050-02-01 00:00:00+00')",
                "ALTER TABLE public.workflow_events ATTACH PARTITION public.workflow_events_y2050m01"
                        + " FOR VALUES FROM ('2050-01-01 00:00:00+00') TO ('2050-02-01 00:00:00+00')");
    }

    @Test
    void aTimestampInAnIndexPredicateOrAPolicyIsCopiedExactlyWhateverTheSettings() {
        TestDatabase db = database.get();
        db.execute("""
                CREATE TABLE audit_events (id bigint NOT NULL, ts timestamptz NOT NULL, note text);
                CREATE INDEX audit_events_recent ON audit_events (id) WHERE ts >= '2020-01-01 00:00:00+00';
                ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
                CREATE POLICY recent ON audit_events USING (ts >= '2020-01-01 00:00:00+00');
                INSERT INTO audit_events VALUES (1, now(), 'x');""");
        String predicate = "(ts >= '2020-01-01 00:00:00+00'::timestamp with time zone)";

        under("SQL, DMY", "Asia/Kolkata", "SELECT partwarden.convert_to_monthly_partitions('audit_events', 'ts', 1, '200ms', 3)");
        under("Postgres", "America/Havana", "SELECT partwarden.create_month_partition('audit_events', '2050-01-01 00:00:00+00')");

        assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'audit_events'::regclass", String.class))
                .isEqualTo("p");
        assertThat(db.jdbc().queryForList(
                "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polrelid = 'audit_events'::regclass", String.class))
                .containsExactly(predicate);
        // the parent's partial index, and on every partition exactly one copy of it with the same predicate
        assertThat(db.jdbc().queryForList("""
                SELECT DISTINCT pg_get_expr(ix.indpred, ix.indrelid) FROM pg_index ix
                 WHERE ix.indrelid = 'audit_events'::regclass
                    OR ix.indrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'audit_events'::regclass)""",
                String.class)).containsExactly(predicate);
        assertThat(db.jdbc().queryForObject("""
                SELECT count(*) FROM pg_inherits i JOIN pg_index ix ON ix.indrelid = i.inhrelid
                 WHERE i.inhparent = 'audit_events'::regclass AND ix.indpred IS NOT NULL""", Long.class))
                .isEqualTo(db.jdbc().queryForObject(
                        "SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit_events'::regclass", Long.class));
    }
}
