package io.partwarden.citus;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.metrics.PartitionStats;
import io.partwarden.metrics.TableStats;
import io.partwarden.testing.CitusDatabase;
import io.partwarden.testing.OnCitusCluster;
import io.partwarden.testing.Engine;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a Citus cluster ({@code PARTWARDEN_TEST_CITUS_URL}; skipped without one): the sizes and rows
 * that metrics and health show of a distributed partition are its shards', not its empty shell's
 * on the coordinator.
 */
@OnCitusCluster
class CitusPartitionStatsTest {

    @RegisterExtension
    static final CitusDatabase citus = CitusDatabase.perClass("stats");

    @BeforeAll
    static void fixture() {
        TestProperties.migrate(db());
    }

    static TestDatabase db() {
        return citus.get();
    }

    @Test
    void aDistributedPartitionsSizeAndRowsAreTheSumOverItsShardsAnalysedOrNot() {
        createMonths("\"Hash Events\"", "SELECT create_distributed_table('\"Hash Events\"', 'run_id', shard_count => 4)");
        db().execute("""
                INSERT INTO "Hash Events" SELECT g % 50, g, '2024-01-01'::timestamptz + g * interval '1 second', repeat('x', 200)
                  FROM generate_series(1, 30000) g;
                INSERT INTO "Hash Events" SELECT g % 50, g, '2024-02-01'::timestamptz + g * interval '1 second', 'y'
                  FROM generate_series(1, 700) g;
                ANALYZE "Hash Events_y2024m01";""");

        Map<String, PartitionStats> partitions = read("public.Hash Events");

        // January analysed (reltuples on each shard), February never (counted exactly on each shard)
        assertThat(partitions.get("Hash Events_y2024m01").rows()).isBetween(29_000L, 31_000L);
        assertThat(partitions.get("Hash Events_y2024m02").rows()).isEqualTo(700);
        assertThat(partitions.get("Hash Events_y2024m03").rows()).isZero();
        long januaryShards = db().jdbc().queryForObject("SELECT citus_total_relation_size('\"Hash Events_y2024m01\"')", Long.class);
        long januaryShell = db().jdbc().queryForObject("SELECT pg_total_relation_size('\"Hash Events_y2024m01\"')", Long.class);
        assertThat(partitions.get("Hash Events_y2024m01").sizeBytes()).as("its 4 shards' sizes, not the shell's %d", januaryShell)
                .isEqualTo(januaryShards).isGreaterThan(6_000_000L);
    }

    @Test
    void shardsOfATableInAMixedCaseSchemaAreFoundByTheirQualifiedNames() {
        db().execute("CREATE SCHEMA \"Audit Trail\"");
        createMonths("\"Audit Trail\".\"Events\"", "SELECT create_distributed_table('\"Audit Trail\".\"Events\"', 'run_id')");
        db().execute("""
                INSERT INTO "Audit Trail"."Events" SELECT g % 50, g, '2024-01-01'::timestamptz + g * interval '1 second', 'r'
                  FROM generate_series(1, 1234) g;""");

        Map<String, PartitionStats> partitions = read("Audit Trail.Events");

        assertThat(partitions.get("Events_y2024m01").rows()).isEqualTo(1234);
        assertThat(partitions.get("Events_y2024m01").sizeBytes()).isEqualTo(db().jdbc().queryForObject(
                "SELECT citus_total_relation_size('\"Audit Trail\".\"Events_y2024m01\"')", Long.class));
    }

    private static void createMonths(String quoted, String distribute) {
        db().execute("""
                CREATE TABLE %1$s (run_id bigint NOT NULL, id bigint NOT NULL, at timestamptz NOT NULL, note text,
                                   PRIMARY KEY (run_id, id, at)) PARTITION BY RANGE (at);
                SELECT partwarden.create_month_partition('%1$s', '2024-01-15');
                SELECT partwarden.create_month_partition('%1$s', '2024-02-15');
                SELECT partwarden.create_month_partition('%1$s', '2024-03-15');
                %2$s;""".formatted(quoted, distribute));
    }

    private static Map<String, PartitionStats> read(String table) {
        TableStats stats = Engine.statsOn(db()).read(table);
        assertThat(stats.catalogUp()).as(stats.error()).isTrue();
        return stats.partitions().stream().collect(Collectors.toMap(PartitionStats::name, Function.identity()));
    }
}
