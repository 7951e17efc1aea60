package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The conversion makes a partition for every month from the oldest row to premake ahead, in one
 * transaction holding the table: rows it cannot place are refused before anything changes, and
 * it says how many partitions it makes, warning when that many is unlikely to be meant.
 */
@VersionSensitive
class ConversionRowRangeTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    /** What the migration runs on a plain workflow_events (V3), here on a table of the test's. */
    static final String CONVERT = "SELECT partwarden.convert_to_monthly_partitions('%s', 'ts', 3, '200ms', 3)";

    /** The NOTICEs and WARNINGs of one statement, as "NOTICE: text". */
    static List<String> messagesOf(TestDatabase db, String sql) {
        try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
            List<String> messages = new ArrayList<>();
            for (SQLWarning w = statement.getWarnings(); w != null; w = w.getNextWarning()) {
                messages.add((w.getSQLState().startsWith("01") ? "WARNING: " : "NOTICE: ") + w.getMessage());
            }
            return messages;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static long monthsFromTo(YearMonth first, YearMonth last) {
        return ChronoUnit.MONTHS.between(first, last) + 1;
    }

    @Test
    void theFirstMigrationOfAMeshHookDatabaseRefusesARowOfInfinityAtOnceChangingNothing() {
        // the conversion of a first install runs inside migration 3, before migration 8.1 could replace V2's functions
        try (TestDatabase db = TestDatabase.create("ConversionRowRangeFirstRun")) {
            db.runScript("demo/meshhook.sql");
            db.runScript("demo/meshhook-events.sql");
            db.execute("UPDATE workflow_events SET ts = 'infinity' WHERE id = (SELECT min(id) FROM workflow_events)");
            String rows = "SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, ts), ',' ORDER BY id)) FROM workflow_events";
            String before = db.jdbc().queryForObject(rows, String.class);

            assertThatThrownBy(() -> TestProperties.migrate(db))
                    .hasMessageContaining("1 rows have a ts of infinity or -infinity");

            assertThat(db.jdbc().queryForObject(rows, String.class)).isEqualTo(before);
            assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass",
                    String.class)).isEqualTo("r");
        }
    }

    @Test
    void rowsWithAnInfiniteTsAreRefusedUpFrontNamingHowMany() {
        TestDatabase db = database.get();
        TestProperties.migrate(db);
        db.execute("""
                CREATE TABLE legacy_events (id bigint PRIMARY KEY, ts timestamptz NOT NULL, note text);
                INSERT INTO legacy_events VALUES (1, now(), 'x'), (2, 'infinity', 'y'), (3, 'infinity', 'z'), (4, '-infinity', 'w');""");
        String rows = "SELECT string_agg(concat_ws('|', id, ts, note), ',' ORDER BY id) FROM legacy_events";
        String before = db.jdbc().queryForObject(rows, String.class);

        assertThatThrownBy(() -> db.jdbc().queryForList(CONVERT.formatted("legacy_events")))
                .hasMessageContaining("cannot convert public.legacy_events: 3 rows have a ts of infinity or -infinity"
                        + " (2 infinity, 1 -infinity), which no partition can hold");

        assertThat(db.jdbc().queryForObject(rows, String.class)).isEqualTo(before);
        assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'legacy_events'::regclass",
                String.class)).isEqualTo("r");
        assertThat(db.jdbc().queryForList("SELECT relname FROM pg_class WHERE relname LIKE 'legacy_events_y%'", String.class))
                .isEmpty();
    }

    @Test
    void aRowDecadesOldIsAnnouncedWithThePartitionCountAndWarnedAbout() {
        TestDatabase db = database.get();
        TestProperties.migrate(db);
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        db.execute("""
                CREATE TABLE audit_events (id bigint NOT NULL, ts timestamptz NOT NULL);
                INSERT INTO audit_events VALUES (1, '%s-15 12:00:00+00'), (2, now());""".formatted(now.minusYears(11)));
        long months = monthsFromTo(now.minusYears(11), now.plusMonths(1));

        List<String> messages = messagesOf(db,
                "SELECT partwarden.convert_to_monthly_partitions('audit_events', 'ts', 1, '200ms', 3)");

        assertThat(messages).contains("NOTICE: Partwarden: converting public.audit_events makes " + months
                + " monthly partitions, " + now.minusYears(11) + " to " + now.plusMonths(1));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("WARNING: Partwarden: public.audit_events gets "
                + months + " monthly partitions in one transaction, more than 120: its oldest row has ts "));
        assertThat(db.jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions('audit_events')", Long.class))
                .isEqualTo(months);
    }

    @Test
    void aFewYearsOfRowsAreAnnouncedWithoutAWarning() {
        TestDatabase db = database.get();
        TestProperties.migrate(db);
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        db.execute("""
                CREATE TABLE recent_events (id bigint NOT NULL, ts timestamptz NOT NULL);
                INSERT INTO recent_events VALUES (1, '%s-15 12:00:00+00');""".formatted(now.minusYears(2)));

        List<String> messages = messagesOf(db, CONVERT.formatted("recent_events"));

        assertThat(messages).containsExactly("NOTICE: Partwarden: converting public.recent_events makes "
                + monthsFromTo(now.minusYears(2), now.plusMonths(3)) + " monthly partitions, " + now.minusYears(2)
                + " to " + now.plusMonths(3));
    }

    @Test
    void morePartitionsThanTheServersLockTableHoldsAreRefusedBeforeAnyChange() {
        TestDatabase db = database.get();
        TestProperties.migrate(db);
        db.execute("""
                CREATE TABLE ancient_events (id bigint PRIMARY KEY, ts timestamptz NOT NULL, kind text);
                CREATE INDEX ancient_events_kind ON ancient_events (kind);
                INSERT INTO ancient_events VALUES (1, '0001-01-01 00:00:00+00', 'x'), (2, now(), 'y');""");
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        long months = monthsFromTo(YearMonth.of(1, 1), now.plusMonths(3));
        long capacity = db.jdbc().queryForObject("""
                SELECT current_setting('max_locks_per_transaction')::bigint
                       * (current_setting('max_connections')::bigint + current_setting('max_prepared_transactions')::bigint)""",
                Long.class);

        assertThatThrownBy(() -> db.jdbc().queryForList(CONVERT.formatted("ancient_events")))
                .hasMessageContaining("cannot convert public.ancient_events: it needs " + months
                        + " monthly partitions, from 0001-01 (its oldest row has ts 0001-01-01 00:00:00+00) to " + now.plusMonths(3)
                        + ", made in one transaction holding about " + months * 5 + " locks")
                .hasMessageContaining("more than the server's lock table holds (" + capacity + ")");

        assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'ancient_events'::regclass",
                String.class)).isEqualTo("r");
        assertThat(db.jdbc().queryForList("SELECT relname FROM pg_class WHERE relname LIKE 'ancient_events_y%'", String.class))
                .isEmpty();
    }
}
