package io.partwarden.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.Tenant;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A table the spec's migration partitioned is adopted with row level security off, so its
 * partitions get the parent's grants; the operators then switch row level security on and
 * recreate the policies, as the README says. Until the partitions follow, a tenant reads every
 * tenant's rows through a partition by name. Every pass brings them in line, and --verify names
 * each that differs.
 */
@ExtendWith(OutputCaptureExtension.class)
@VersionSensitive
class TenantIsolationTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String TENANTS_POLICY = """
            ALTER TABLE workflow_events ENABLE ROW LEVEL SECURITY;
            CREATE POLICY "Users can view workflow events in own projects" ON workflow_events FOR SELECT
              USING (run_id IN (SELECT id FROM workflow_runs WHERE project_id IN (SELECT user_project_ids())));""";

    static String partition;

    @BeforeAll
    static void adoptTheSpecsTableThenSwitchRowLevelSecurityOnByHand() {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        database.get().runScript("fixtures/spec-migration-result.sql");
        TestProperties.migrate(database.get());
        database.get().execute(TENANTS_POLICY);
        partition = database.get().jdbc().queryForObject(
                "SELECT tableoid::regclass::text FROM workflow_events ORDER BY ts DESC LIMIT 1", String.class);
    }

    @Test
    void aTenantReadingAnotherTenantsRowsThroughAPartitionIsReportedByVerifyAndShutOutByThePass(CapturedOutput output)
            throws Exception {
        List<Long> ownThroughParent = Tenant.ONE.ids(database.get(), "SELECT id FROM workflow_events ORDER BY id");
        List<Long> throughPartition = Tenant.ONE.ids(database.get(), "SELECT id FROM " + partition + " ORDER BY id");
        assertThat(throughPartition).as("before: tenant one reads tenant two's rows through " + partition)
                .isNotEmpty().anySatisfy(id -> assertThat(ownThroughParent).doesNotContain(id));

        assertThat(Commands.run(database.get(), "--verify")).isEqualTo(1);
        assertThat(output.getOut()).contains("PROBLEM public.workflow_events: access of public." + partition
                + " differs from the parent's: privileges the parent's rule does not give: INSERT to authenticated,"
                + " SELECT to authenticated; row level security off while the parent's is on");

        assertThat(Commands.run(database.get(), "--dry-run")).isZero();
        assertThat(output.getOut()).contains("SELECT partwarden.sync_partition_access('public.workflow_events', 'public."
                + partition + "');");

        assertThat(Commands.run(database.get(), "--once")).isZero();

        assertThatThrownBy(() -> Tenant.ONE.ids(database.get(), "SELECT id FROM " + partition))
                .hasMessageContaining("permission denied");
        assertThat(Tenant.ONE.ids(database.get(), "SELECT id FROM workflow_events ORDER BY id"))
                .as("through the parent, tenant one still reads its own rows").isEqualTo(ownThroughParent);
        assertThat(database.get().jdbc().queryForList("""
                SELECT p.partition_name FROM partwarden.partitions('workflow_events') p
                  JOIN pg_class c ON c.oid = p.partition
                 WHERE NOT c.relrowsecurity OR has_table_privilege('authenticated', p.partition, 'SELECT')""", String.class))
                .as("every partition, not only the one read").isEmpty();
        int before = output.getOut().length();
        assertThat(Commands.run(database.get(), "--verify")).isZero();
        assertThat(output.getOut().substring(before)).doesNotContain("differs from the parent's");
    }
}
