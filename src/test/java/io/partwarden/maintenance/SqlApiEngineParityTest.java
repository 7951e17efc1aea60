package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The spec's SQL API and the service make the same partitions: names, bounds, indexes, access. */
@VersionSensitive
class SqlApiEngineParityTest {

    @RegisterExtension
    static final FreshDatabase sqlApi = new FreshDatabase();

    static final String PARTITIONS_AS_BUILT = """
            SELECT p.partition_name, p.lower_bound, p.upper_bound,
                   (SELECT string_agg(indexdef, '; ' ORDER BY indexname) FROM pg_indexes WHERE tablename = p.partition_name) AS indexes,
                   (SELECT string_agg(pg_get_constraintdef(oid), '; ' ORDER BY conname) FROM pg_constraint WHERE conrelid = p.partition) AS constraints,
                   c.relacl::text AS grants, c.relrowsecurity, pg_get_userbyid(c.relowner) AS owner
              FROM partwarden.partitions('workflow_events') p JOIN pg_class c ON c.oid = p.partition
             WHERE p.upper_bound > now()
             ORDER BY p.lower_bound""";

    @Test
    void maintainingThroughTheSqlApiAndThroughTheServiceGivesIdenticalPartitions() {
        TestDatabase byFunction = sqlApi.get();
        try (TestDatabase byService = TestDatabase.create("parity_service")) {
            for (TestDatabase db : List.of(byFunction, byService)) {
                db.runScript("demo/meshhook.sql");
                db.execute("ALTER TABLE workflow_events RENAME TO workflow_events_plain");
                TestProperties.migrate(db); // absent state: the table is created fresh, months -2..+3
                db.execute("""
                        ALTER TABLE workflow_events ENABLE ROW LEVEL SECURITY;
                        GRANT SELECT, INSERT ON workflow_events TO authenticated;""");
            }
            // a month beyond what the migration made, made once each way
            byFunction.jdbc().queryForList("SELECT create_workflow_events_partition(now() + interval '4 months')");
            byFunction.jdbc().queryForList("SELECT maintain_workflow_events_partitions()");
            var report = Engine.on(byService, Map.of("tables[0].name", "workflow_events", "tables[0].premake", "4")).runner().runIfLockFree().orElseThrow();

            // the service also brings the partitions made before row level security went on in line with the parent
            assertThat(report.outcomes()).extracting(ActionOutcome::kind).containsOnlyOnce("created").containsOnly("created", "synced");
            byFunction.jdbc().queryForList("""
                    SELECT partwarden.sync_partition_access('workflow_events', p.partition) FROM partwarden.partitions('workflow_events') p""");
            List<Map<String, Object>> expected = byFunction.jdbc().queryForList(PARTITIONS_AS_BUILT);
            assertThat(expected).hasSize(5);
            assertThat(byService.jdbc().queryForList(PARTITIONS_AS_BUILT)).isEqualTo(expected);
        }
    }
}
