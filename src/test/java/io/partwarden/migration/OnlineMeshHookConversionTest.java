package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The facts of {@link ConversionFactsContract}, the table converted online: the migration leaves
 * it plain, {@code --once} carries the conversion through its cut-over, and the old table is kept
 * as {@code workflow_events_unpartitioned} for a rollback until {@code --finish-conversion}.
 */
@VersionSensitive
class OnlineMeshHookConversionTest extends ConversionFactsContract {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String KEPT = "workflow_events_unpartitioned";
    static final String RUN = "c0000000-0000-0000-0000-000000000011";

    String relkindAfterMigration;

    @Override
    TestDatabase db() {
        return database.get();
    }

    @Override
    void convert() {
        SchemaMigration.migrate(db().dataSource(), TestProperties.partwarden(Map.of("migration.conversion", "online")));
        relkindAfterMigration = jdbc().queryForObject(
                "SELECT relkind::text FROM pg_class WHERE oid = 'public.workflow_events'::regclass", String.class);
        // small batches, so the conversion copies in several and replays between them
        assertThat(Commands.run(db(), "--once", "--partwarden.migration.conversion=online",
                "--partwarden.migration.online.batch-rows=500")).as("exit code of --once").isZero();
    }

    @Test
    void theMigrationLeavesTheTablePlainForTheServiceToConvert() {
        assertThat(relkindAfterMigration).isEqualTo("r");
    }

    @Test
    void theConversionIsRecordedAsConvertedAtItsCutOver() {
        assertThat(jdbc().queryForMap("""
                SELECT phase, cutover_at IS NOT NULL AS cut_over, ended_at IS NULL AS open FROM partwarden.conversion
                 WHERE source_schema = 'public' AND source_name = 'workflow_events' ORDER BY id DESC LIMIT 1"""))
                .containsEntry("phase", "converted").containsEntry("cut_over", true).containsEntry("open", true);
    }

    @Test
    void theOldTableIsKeptPlainWithEveryRowOfBefore() {
        assertThat(jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'public." + KEPT + "'::regclass",
                String.class)).isEqualTo("r");
        // no test adds a row for good, and the kept table only ever receives what the new one did
        assertThat(jdbc().queryForObject(ROW_CHECKSUM.replace("FROM workflow_events", "FROM " + KEPT), String.class))
                .isEqualTo(rowsBefore);
    }

    @Test
    void getWorkflowRunEventsDependsOnThePartitionedTableNotTheKeptOne() {
        assertThat(jdbc().queryForList("""
                SELECT DISTINCT d.refobjid::regclass::text FROM pg_depend d
                 WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_class'::regclass
                   AND d.objid = 'public.get_workflow_run_events(uuid, timestamptz, timestamptz)'::regprocedure""",
                String.class)).contains("workflow_events").doesNotContain(KEPT);
    }

    @Test
    void getWorkflowRunEventsReturnsAnEventWrittenAfterTheCutOver() throws SQLException {
        try (Connection c = db().connect()) {
            c.setAutoCommit(false);
            try {
                long id = insertEvent(c);
                try (PreparedStatement read = c.prepareStatement(
                        "SELECT count(*) FROM get_workflow_run_events(?::uuid, now() - interval '1 minute') WHERE id = ?")) {
                    read.setString(1, RUN);
                    read.setLong(2, id);
                    assertThat(single(read)).isOne();
                }
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void aWriteAfterTheCutOverIsLoggedForTheWayBack() throws SQLException {
        try (Connection c = db().connect()) {
            c.setAutoCommit(false);
            try {
                long id = insertEvent(c);
                try (PreparedStatement logged = c.prepareStatement(
                        "SELECT count(*) FROM partwarden.conversion_change WHERE direction = 'r' AND id = ?")) {
                    logged.setLong(1, id);
                    assertThat(single(logged)).isPositive();
                }
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void nothingStagedIsLeftInSchemaPartwarden() {
        assertThat(jdbc().queryForList("""
                SELECT relname FROM pg_class
                 WHERE relnamespace = 'partwarden'::regnamespace AND relname LIKE 'workflow\\_events%'""", String.class))
                .isEmpty();
    }

    private static long insertEvent(Connection c) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO workflow_events (run_id, type, payload) VALUES (?::uuid, 'node.after', '{}') RETURNING id")) {
            insert.setString(1, RUN);
            return single(insert);
        }
    }

    private static long single(PreparedStatement query) throws SQLException {
        try (ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
