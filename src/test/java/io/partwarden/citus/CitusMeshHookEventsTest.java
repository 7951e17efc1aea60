package io.partwarden.citus;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import io.partwarden.maintenance.PassReport;
import io.partwarden.testing.CitusDatabase;
import io.partwarden.testing.Commands;
import io.partwarden.testing.Engine;
import io.partwarden.testing.OnCitusCluster;
import io.partwarden.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On a Citus cluster ({@code PARTWARDEN_TEST_CITUS_URL}; skipped without one): MeshHook's
 * workflow_events as the README's "Scale-out with Citus" runs it (made by the migration, then its
 * primary key widened to (run_id, id, ts) and distributed by run_id, colocated with
 * workflow_runs) has its old month retired in every on-retire mode while a writer inserts events
 * through the coordinator, without one failure.
 */
@OnCitusCluster
class CitusMeshHookEventsTest {

    @RegisterExtension
    static final CitusDatabase citus = CitusDatabase.perClass("meshhook");

    @TempDir
    static Path archive;

    static final String RUN = "('c0000000-0000-0000-0000-' || lpad((1 + %s %% 16)::text, 12, '0'))::uuid";
    static final String ROWS = "SELECT count(*) || ':' || sum(id) || ':' || md5(string_agg(run_id::text || ts, ',' ORDER BY id))"
            + " FROM %s";

    @BeforeAll
    static void fixture() {
        db().execute("CREATE TABLE workflow_runs (id uuid PRIMARY KEY)");
        assertThat(Commands.run(db(), "--once", "--partwarden.lock.at-least-for=0s")).as("the migration creates workflow_events").isZero();
        // the README's three statements
        db().execute("""
                SELECT create_distributed_table('workflow_runs', 'id');
                ALTER TABLE workflow_events DROP CONSTRAINT workflow_events_pkey, ADD PRIMARY KEY (run_id, id, ts);
                SELECT create_distributed_table('workflow_events', 'run_id', colocate_with => 'workflow_runs');""");
        db().execute("INSERT INTO workflow_runs SELECT " + RUN.formatted("g") + " FROM generate_series(1, 16) g");
    }

    static TestDatabase db() {
        return citus.get();
    }

    @ParameterizedTest
    @EnumSource(OnRetire.class)
    void theOldMonthOfTheDistributedEventsTableIsRetiredWhileMeshHookWrites(OnRetire mode) throws Exception {
        db().execute("SELECT partwarden.create_month_partition('workflow_events', '2024-01-15')");
        db().execute("INSERT INTO workflow_events (run_id, ts, type, payload) SELECT " + RUN.formatted("g")
                + ", '2024-01-01'::timestamptz + g * interval '1 minute', 'step', '{}' FROM generate_series(1, 3000) g");
        String januaryRows = db().jdbc().queryForObject(ROWS.formatted("workflow_events_y2024m01"), String.class);
        String spelled = mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
        Map<String, String> settings = new HashMap<>(Map.of("tables[0].name", "workflow_events", "tables[0].retention", "12m",
                "tables[0].on-retire", spelled, "tables[0].archive-table", "public.events_archive_" + spelled.replace('-', '_'),
                "lock.at-least-for", "0s"));
        if (mode == OnRetire.ARCHIVE) {
            settings.put("archive.directory", archive.toString());
        }

        PassReport report;
        CoordinatorWriter writer = CoordinatorWriter.start(db(), "INSERT INTO workflow_events (run_id, type, payload) SELECT "
                + RUN.formatted("n") + ", 'live', '{}' FROM (SELECT ?::bigint) v(n)");
        try (writer) {
            report = Engine.on(db(), settings).runner().runIfLockFree().orElseThrow();
        }

        assertThat(report.converged()).as(report.failures().toString()).isTrue();
        assertThat(writer.failure()).as("an event written through the coordinator during the pass failed").isNull();
        assertThat(writer.inserted()).isPositive();
        assertThat(db().jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions('workflow_events')"
                + " WHERE partition_name = 'workflow_events_y2024m01'", Long.class)).as("no longer attached").isZero();
        switch (mode) {
            case DROP -> assertThat(exists("workflow_events_y2024m01")).isFalse();
            case DETACH -> {
                assertThat(db().jdbc().queryForObject(ROWS.formatted("workflow_events_y2024m01_detached"), String.class))
                        .isEqualTo(januaryRows);
                db().execute("DROP TABLE workflow_events_y2024m01_detached"); // the next mode makes January again
            }
            case ARCHIVE_TABLE -> assertThat(db().jdbc().queryForObject(ROWS.formatted("events_archive_archive_table"),
                    String.class)).isEqualTo(januaryRows);
            case ARCHIVE -> {
                assertThat(exists("workflow_events_y2024m01")).isFalse();
                String manifest = db().jdbc().queryForObject("SELECT archive_manifest FROM partwarden.retirement"
                        + " WHERE partition_name = 'workflow_events_y2024m01' AND state = 'dropped'"
                        + " AND archive_manifest IS NOT NULL", String.class);
                Engine.restoreOn(db()).restore(manifest, TableName.parse("public.restored"), Duration.ofSeconds(5));
                assertThat(db().jdbc().queryForObject(ROWS.formatted("restored"), String.class)).isEqualTo(januaryRows);
                db().execute("DROP TABLE restored");
            }
        }
    }

    @Test
    void theSpecsStatisticsShowADistributedPartitionsShardsNotItsEmptyShell() {
        db().execute("SELECT partwarden.create_month_partition('workflow_events', '2024-06-15')");
        db().execute("INSERT INTO workflow_events (run_id, ts, type, payload) SELECT " + RUN.formatted("g")
                + ", '2024-06-01'::timestamptz + g * interval '1 minute', 'step', '{}' FROM generate_series(1, 5000) g");
        db().execute("ANALYZE workflow_events_y2024m06");
        db().execute("INSERT INTO workflow_events (run_id, ts, type, payload) SELECT " + RUN.formatted("g")
                + ", '2024-06-20'::timestamptz + g * interval '1 minute', 'step', '{}' FROM generate_series(1, 100) g");
        long shards = db().jdbc().queryForObject("SELECT citus_total_relation_size('workflow_events_y2024m06')", Long.class);
        long shell = db().jdbc().queryForObject("SELECT pg_total_relation_size('workflow_events_y2024m06')", Long.class);

        Map<String, Object> stats = db().jdbc().queryForMap("SELECT row_count, size_bytes, size_pretty"
                + " FROM get_workflow_events_partition_stats() WHERE partition_name = 'workflow_events_y2024m06'");
        Map<String, Object> info = db().jdbc().queryForMap("SELECT size, row_count_estimate FROM workflow_events_partition_info"
                + " WHERE partition_name = 'workflow_events_y2024m06'");

        assertThat(shards).as("the shards hold the rows, the shell %d bytes", shell).isGreaterThan(shell);
        // exact, as the spec has it; the view's estimate is the shards' reltuples, from before the last 100
        assertThat(stats).containsEntry("row_count", 5100L).containsEntry("size_bytes", shards);
        assertThat(info).containsEntry("row_count_estimate", 5000L)
                .containsEntry("size", db().jdbc().queryForObject("SELECT pg_size_pretty(?::bigint)", String.class, shards));
    }

    private static boolean exists(String relation) {
        return db().jdbc().queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, relation);
    }
}
