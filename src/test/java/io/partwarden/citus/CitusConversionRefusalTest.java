package io.partwarden.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.CitusDatabase;
import io.partwarden.testing.OnCitusCluster;
import io.partwarden.testing.Commands;
import io.partwarden.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * On a Citus cluster ({@code PARTWARDEN_TEST_CITUS_URL}; skipped without one): a plain
 * workflow_events that Citus already distributes is not converted (either conversion would build
 * the partitioned table on the coordinator alone); the migration says why and changes nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
@OnCitusCluster
class CitusConversionRefusalTest {

    @RegisterExtension
    static final CitusDatabase citus = CitusDatabase.perClass("conversion");

    @BeforeAll
    static void fixture() {
        db().execute("""
                CREATE TABLE workflow_runs (id uuid PRIMARY KEY);
                SELECT create_distributed_table('workflow_runs', 'id');
                CREATE TABLE workflow_events (id bigserial, run_id uuid NOT NULL REFERENCES workflow_runs (id),
                                              ts timestamptz NOT NULL DEFAULT now(), type text NOT NULL,
                                              payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
                                              PRIMARY KEY (run_id, id, ts));
                SELECT create_distributed_table('workflow_events', 'run_id', colocate_with => 'workflow_runs');
                INSERT INTO workflow_runs SELECT ('c0000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid
                  FROM generate_series(1, 8) g;
                INSERT INTO workflow_events (run_id, ts, type, payload)
                SELECT ('c0000000-0000-0000-0000-' || lpad((1 + g % 8)::text, 12, '0'))::uuid,
                       now() - g * interval '1 hour', 'step', '{}'
                  FROM generate_series(1, 500) g;""");
    }

    static TestDatabase db() {
        return citus.get();
    }

    @ParameterizedTest
    @ValueSource(strings = {"in-place", "online"})
    void theMigrationRefusesToConvertADistributedTableNamingWhyAndChangesNothing(String method) {
        String before = db().jdbc().queryForObject("SELECT count(*) || ':' || sum(id) FROM workflow_events", String.class);

        assertThatThrownBy(() -> Commands.run(db(), "--once", "--partwarden.migration.conversion=" + method))
                .hasStackTraceContaining("cannot convert public.workflow_events: it is a Citus distributed table, and"
                        + " Partwarden's conversion would build the partitioned table on the coordinator alone");
        assertThat(db().jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass",
                String.class)).isEqualTo("r");
        assertThat(db().jdbc().queryForObject("SELECT count(*) FROM pg_dist_partition"
                + " WHERE logicalrelid = 'workflow_events'::regclass", Long.class)).as("still distributed").isOne();
        assertThat(db().jdbc().queryForObject("SELECT count(*) || ':' || sum(id) FROM workflow_events", String.class))
                .isEqualTo(before);
        assertThat(db().jdbc().queryForObject("SELECT to_regnamespace('partwarden') IS NULL", Boolean.class))
                .as("the failed first run left no schema behind").isTrue();
    }

    @Test
    void theDryRunSaysTheMigrationWouldRefuse(CapturedOutput output) {
        assertThat(Commands.run(db(), "--dry-run")).isEqualTo(1);

        assertThat(output.getOut()).contains("refuses, changing nothing: it is a Citus distributed table");
    }
}
