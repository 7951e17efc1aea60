package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What create_workflow_events_partition makes of each kind of argument: a date or a timestamp
 * names the month as written, a timestamptz the month a row with that ts lands in (UTC months),
 * an untyped literal is still read as a timestamptz, and infinity, which has no month, is refused.
 */
@VersionSensitive
class SqlApiArgumentsTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @BeforeAll
    static void convertMeshHookDatabase() {
        database.get().runScript("demo/meshhook.sql");
        TestProperties.migrate(database.get());
    }

    /** The first column of the first row of a query run in a session at this TimeZone. */
    static String inZone(String timeZone, String query) {
        try (Connection connection = database.get().connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = '" + timeZone + "'");
            try (ResultSet result = statement.executeQuery(query)) {
                result.next();
                return result.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static long partitionCount() {
        return database.get().jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions('workflow_events')", Long.class);
    }

    @Test
    void aTimestampNamesTheMonthAsWrittenInASessionAtUtcPlus13() {
        assertThat(inZone("Etc/GMT-13", "SELECT create_workflow_events_partition('2030-07-01 00:00:00'::timestamp)"))
                .isEqualTo("workflow_events_y2030m07");
        assertThat(inZone("Pacific/Auckland", "SELECT create_workflow_events_partition('2031-01-01 00:00:00'::timestamp)"))
                .isEqualTo("workflow_events_y2031m01");
        assertThat(inZone("America/Los_Angeles", "SELECT create_workflow_events_partition('2030-09-30 23:30:00'::timestamp)"))
                .isEqualTo("workflow_events_y2030m09");
    }

    @Test
    void theSpecsCurrentDatePlusAMonthNamesNextMonthOfTheCallersCalendar() {
        for (String zone : new String[] {"Etc/GMT-13", "Etc/GMT+12", "UTC"}) {
            assertThat(inZone(zone, """
                    SELECT create_workflow_events_partition(CURRENT_DATE + interval '1 month')
                           = to_char(CURRENT_DATE + interval '1 month', '"workflow_events_y"YYYY"m"MM')"""))
                    .as(zone).isEqualTo("t");
        }
    }

    @Test
    void aTimestamptzStillNamesThePartitionARowWithThatTsLandsIn() {
        assertThat(inZone("Etc/GMT-13", "SELECT create_workflow_events_partition('2032-09-01 05:00:00'::timestamptz)"))
                .isEqualTo("workflow_events_y2032m08"); // 2032-08-31 16:00 UTC
        assertThat(inZone("Etc/GMT-13", """
                SELECT create_workflow_events_partition(now())
                       = 'workflow_events' || to_char(now() AT TIME ZONE 'UTC', '"_y"YYYY"m"MM')""")).isEqualTo("t");
    }

    @Test
    void anUntypedLiteralStillResolvesToTheTimestamptzOverload() {
        assertThat(database.get().jdbc().queryForList(
                "EXPLAIN (VERBOSE, COSTS OFF) SELECT create_workflow_events_partition('2033-06-17')", String.class))
                .anySatisfy(line -> assertThat(line).contains("create_workflow_events_partition('2033-06-17 00:00:00")
                        .contains("::timestamp with time zone)"));
        assertThat(inZone("UTC", "SELECT create_workflow_events_partition('2033-06-17')")).isEqualTo("workflow_events_y2033m06");
        assertThat(database.get().jdbc().queryForObject("""
                SELECT count(*) FROM pg_proc WHERE proname = 'create_workflow_events_partition'
                   AND pronamespace = 'public'::regnamespace""", Long.class)).isEqualTo(3L);
    }

    @Test
    void infinityIsRefusedSayingThatAPartitionHoldsAMonth() {
        long before = partitionCount();
        for (String argument : new String[] {"'infinity'", "'infinity'::date", "'infinity'::timestamp", "'infinity'::timestamptz"}) {
            assertThatThrownBy(() -> database.get().jdbc().queryForList("SELECT create_workflow_events_partition(" + argument + ")"))
                    .as(argument).hasMessageContaining("a partition holds a month; infinity has none");
        }
        for (String argument : new String[] {"'-infinity'", "'-infinity'::date", "'-infinity'::timestamp"}) {
            assertThatThrownBy(() -> database.get().jdbc().queryForList("SELECT create_workflow_events_partition(" + argument + ")"))
                    .as(argument).hasMessageContaining("a partition holds a month; -infinity has none");
        }
        assertThatThrownBy(() -> database.get().jdbc().queryForList(
                "SELECT partwarden.create_month_partition('workflow_events', 'infinity')"))
                .hasMessageContaining("cannot make the monthly partition of public.workflow_events holding infinity:"
                        + " a partition holds a month; infinity has none");
        assertThatThrownBy(() -> database.get().jdbc().queryForList("SELECT create_workflow_events_partition(NULL::date)"))
                .hasMessageContaining("cannot make the monthly partition of public.workflow_events holding NULL: give a date");
        assertThat(partitionCount()).isEqualTo(before);
    }
}
