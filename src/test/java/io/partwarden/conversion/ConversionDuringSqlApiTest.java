package io.partwarden.conversion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The spec's SQL API while workflow_events is converted online (design, section 13), called as an
 * operator or pg_cron would, at each stage of one conversion, in order: before its partitioned
 * table exists, while it copies, and after its cut-over. It keeps working where it can (months
 * made on the table being built, events read from the plain table) and otherwise says why in
 * words, never with a bare "is not partitioned".
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@VersionSensitive
class ConversionDuringSqlApiTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String BACKFILLING = "public.workflow_events is being converted online (backfilling, 30%)";
    static final String STAGED_PARTITIONS = "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            + " WHERE i.inhparent = ?::regclass ORDER BY 1";
    static final String RUN_EVENTS = "SELECT string_agg(id::text, ',' ORDER BY ts, id) FROM get_workflow_run_events('"
            + ConversionSteps.RUN + "')";
    static final String RUN_EVENTS_DIRECT = "SELECT string_agg(id::text, ',' ORDER BY ts, id) FROM public.workflow_events"
            + " WHERE run_id = '" + ConversionSteps.RUN + "'";

    static ConversionSteps steps;

    @BeforeAll
    static void meshHookLeftPlainByTheMigration() {
        steps = ConversionSteps.meshHookLeftPlain(database.get());
    }

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    /** What a call returned (first column) and the notices it raised. */
    record Call(List<String> rows, List<String> notices) {
    }

    static Call call(String sql) throws SQLException {
        try (Connection connection = database.get().connect(); Statement statement = connection.createStatement()) {
            List<String> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery(sql)) {
                while (result.next()) {
                    rows.add(result.getString(1));
                }
            }
            List<String> notices = new ArrayList<>();
            for (SQLWarning w = statement.getWarnings(); w != null; w = w.getNextWarning()) {
                notices.add(w.getMessage());
            }
            return new Call(rows, notices);
        }
    }

    @Test
    @Order(1)
    void beforeThePartitionedTableIsMadeCreatingAMonthIsRefusedSayingTheConversionIsPreparing() throws Exception {
        steps.begin();

        assertThatThrownBy(() -> call("SELECT create_workflow_events_partition('2031-01-01'::date)"))
                .hasMessageContaining("public.workflow_events is being converted online (preparing): the partitioned table"
                        + " it becomes is not made yet, so no month of it can be made now")
                .hasMessageNotContaining("is not partitioned");
        assertThatThrownBy(() -> call("SELECT maintain_workflow_events_partitions()"))
                .hasMessageContaining("is being converted online (preparing)");
        Call drop = call("SELECT * FROM drop_old_workflow_events_partitions(1)");
        assertThat(drop.rows()).isEmpty();
        assertThat(drop.notices()).containsExactly("public.workflow_events is being converted online (preparing):"
                + " drop_old_workflow_events_partitions drops nothing until the cut-over");
    }

    @Test
    @Order(2)
    void whileCopyingEachCreateOverloadMakesItsMonthOnTheTableItBecomesSayingSo() throws Exception {
        steps.backfill(3000);
        String notice = BACKFILLING + ": the month is made on partwarden.workflow_events, the partitioned table it becomes,"
                + " which takes its name at the cut-over";

        Call date = call("SELECT create_workflow_events_partition('2031-01-17'::date)");
        Call timestamptz = call("SELECT create_workflow_events_partition('2031-02-10 12:00:00+00'::timestamptz)");
        Call timestamp = call("SELECT create_workflow_events_partition('2031-03-01 00:00:00'::timestamp)");

        assertThat(List.of(date, timestamptz, timestamp)).extracting(Call::rows).containsExactly(
                List.of("workflow_events_y2031m01"), List.of("workflow_events_y2031m02"), List.of("workflow_events_y2031m03"));
        assertThat(List.of(date, timestamptz, timestamp)).extracting(Call::notices).containsOnly(List.of(notice));
        assertThat(jdbc().queryForList(STAGED_PARTITIONS, String.class, "partwarden.workflow_events"))
                .contains("workflow_events_y2031m01", "workflow_events_y2031m02", "workflow_events_y2031m03");
        assertThat(jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'public.workflow_events'::regclass",
                String.class)).isEqualTo("r");
    }

    @Test
    @Order(3)
    void whileCopyingMaintainKeepsTheRunwayOfTheTableItBecomes() throws Exception {
        Call maintain = call("SELECT maintain_workflow_events_partitions()");

        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        List<String> runway = List.of(MonthlyPartitions.name(now), MonthlyPartitions.name(now.plusMonths(1)),
                MonthlyPartitions.name(now.plusMonths(2)), MonthlyPartitions.name(now.plusMonths(3)));
        assertThat(maintain.notices()).contains(runway.stream().map(p -> "Ensured partition exists: " + p).toArray(String[]::new));
        assertThat(maintain.notices()).filteredOn(n -> n.startsWith(BACKFILLING)).hasSize(4);
        assertThat(jdbc().queryForList(STAGED_PARTITIONS, String.class, "partwarden.workflow_events")).containsAll(runway);
    }

    @Test
    @Order(4)
    void whileCopyingDropOldDropsNothingUntilTheCutOverSayingSo() throws Exception {
        List<String> before = jdbc().queryForList(STAGED_PARTITIONS, String.class, "partwarden.workflow_events");

        Call drop = call("SELECT * FROM drop_old_workflow_events_partitions(1)");

        assertThat(drop.rows()).isEmpty();
        assertThat(drop.notices()).containsExactly(BACKFILLING + ": drop_old_workflow_events_partitions drops nothing until"
                + " the cut-over");
        assertThat(jdbc().queryForList(STAGED_PARTITIONS, String.class, "partwarden.workflow_events")).isEqualTo(before);
    }

    @Test
    @Order(5)
    void whileCopyingStatsAndTheInfoViewListNoPartitionOfThePlainTable() throws Exception {
        assertThat(call("SELECT partition_name FROM get_workflow_events_partition_stats()").rows()).isEmpty();
        assertThat(call("SELECT partition_name FROM workflow_events_partition_info").rows()).isEmpty();
    }

    @Test
    @Order(6)
    void whileCopyingGetWorkflowRunEventsReadsThePlainTableWithAnEventWrittenMeanwhile() throws Exception {
        long written = jdbc().queryForObject("INSERT INTO workflow_events (run_id, ts, type, payload) VALUES ('"
                + ConversionSteps.RUN + "', now(), 'node.started', '{}') RETURNING id", Long.class);

        String events = call(RUN_EVENTS).rows().get(0);

        assertThat(events).isEqualTo(jdbc().queryForObject(RUN_EVENTS_DIRECT, String.class)).endsWith("," + written);
        assertThat(events.split(",")).hasSize(1001);
    }

    @Test
    @Order(7)
    void afterTheCutOverTheMonthsMadeMeanwhileArePartitionsOfTheConvertedTable() {
        steps.convert();

        assertThat(jdbc().queryForList(STAGED_PARTITIONS, String.class, "public.workflow_events"))
                .contains("workflow_events_y2031m01", "workflow_events_y2031m02", "workflow_events_y2031m03");
        assertThat(jdbc().queryForObject("SELECT count(*) FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid"
                + " WHERE i.inhparent = 'public.workflow_events'::regclass AND c.relnamespace <> 'public'::regnamespace",
                Long.class)).isZero();
    }

    @Test
    @Order(8)
    void afterTheCutOverDropOldDropsNothingUntilFinishConversionSayingSo() throws Exception {
        List<String> before = jdbc().queryForList(STAGED_PARTITIONS, String.class, "public.workflow_events");

        Call drop = call("SELECT * FROM drop_old_workflow_events_partitions(1)");

        assertThat(drop.rows()).isEmpty();
        assertThat(drop.notices()).singleElement().asString()
                .startsWith("public.workflow_events was converted online at ")
                .endsWith("; the plain table is kept as public.workflow_events_unpartitioned until --finish-conversion:"
                        + " drop_old_workflow_events_partitions drops nothing until --finish-conversion (a partition dropped"
                        + " before it would come back with --rollback-conversion)");
        assertThat(jdbc().queryForList(STAGED_PARTITIONS, String.class, "public.workflow_events")).isEqualTo(before);
    }

    @Test
    @Order(9)
    void afterTheCutOverCreateAndStatsWorkOnThePartitionedTableWithoutANotice() throws Exception {
        Call create = call("SELECT create_workflow_events_partition('2032-01-01'::date)");

        assertThat(create.rows()).containsExactly("workflow_events_y2032m01");
        assertThat(create.notices()).isEmpty();
        assertThat(jdbc().queryForObject("SELECT sum(row_count) FROM get_workflow_events_partition_stats()", Long.class))
                .isEqualTo(jdbc().queryForObject("SELECT count(*) FROM public.workflow_events", Long.class));
    }

    @Test
    @Order(10)
    void afterTheCutOverGetWorkflowRunEventsReadsThePartitionedTable() throws Exception {
        long written = jdbc().queryForObject("INSERT INTO workflow_events (run_id, ts, type, payload) VALUES ('"
                + ConversionSteps.RUN + "', now(), 'node.completed', '{}') RETURNING id", Long.class);

        assertThat(call(RUN_EVENTS).rows().get(0)).isEqualTo(jdbc().queryForObject(RUN_EVENTS_DIRECT, String.class))
                .endsWith("," + written);
        assertThat(jdbc().queryForList("""
                SELECT DISTINCT d.refobjid::regclass::text FROM pg_depend d
                 WHERE d.objid = 'public.get_workflow_run_events(uuid, timestamptz, timestamptz)'::regprocedure
                   AND d.refclassid = 'pg_class'::regclass""", String.class)).containsExactly("workflow_events");
    }
}
