package io.partwarden.citus;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.Distribution;
import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import io.partwarden.maintenance.PassReport;
import io.partwarden.testing.CitusDatabase;
import io.partwarden.testing.OnCitusCluster;
import io.partwarden.testing.Commands;
import io.partwarden.testing.Engine;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On a Citus cluster ({@code PARTWARDEN_TEST_CITUS_URL}; skipped without one): a pass creates and
 * retires partitions of a hash-distributed table in every on-retire mode, detaching plainly (Citus
 * refuses DETACH CONCURRENTLY), while a writer inserts through the coordinator without one failure.
 */
@ExtendWith(OutputCaptureExtension.class)
@OnCitusCluster
class CitusRetirementTest {

    @RegisterExtension
    static final CitusDatabase citus = CitusDatabase.perClass("retirement");

    @TempDir
    static Path archive;

    @BeforeAll
    static void fixture() {
        TestProperties.migrate(db());
        db().execute("""
                CREATE TABLE runs (id bigint PRIMARY KEY);
                SELECT create_distributed_table('runs', 'id');
                INSERT INTO runs SELECT g FROM generate_series(1, 16) g;""");
    }

    static TestDatabase db() {
        return citus.get();
    }

    @ParameterizedTest
    @EnumSource(OnRetire.class)
    void aPassRetiresTheOldMonthOfADistributedTableByAPlainDetachWhileWritersInsert(OnRetire mode, CapturedOutput output)
            throws Exception {
        String table = "Events " + mode.name().toLowerCase(Locale.ROOT);
        String quoted = "\"" + table + "\"";
        db().execute("""
                CREATE TABLE %1$s (run_id bigint NOT NULL, id bigint NOT NULL, "At" timestamptz NOT NULL, note text,
                                   PRIMARY KEY (run_id, id, "At")) PARTITION BY RANGE ("At");
                SELECT partwarden.create_month_partition('public.%1$s', '2024-01-15');
                SELECT partwarden.create_month_partition('public.%1$s', now());
                SELECT create_distributed_table('%1$s', 'run_id', colocate_with => 'runs');
                INSERT INTO %1$s SELECT 1 + g %% 16, g, '2024-01-01'::timestamptz + g * interval '1 minute', 'n' || g
                  FROM generate_series(1, 2000) g;""".formatted(quoted));
        assertThat(new PartitionCatalog(db().jdbc()).distribution(new TableName("public", table)))
                .isEqualTo(Distribution.CITUS_DISTRIBUTED);
        String januaryRows = db().jdbc().queryForObject("SELECT count(*) || ':' || sum(id) FROM " + quoted, String.class);
        Map<String, String> settings = new HashMap<>(Map.of("tables[0].name", table, "tables[0].column", "At",
                "tables[0].premake", "1", "tables[0].retention", "12m", "tables[0].on-retire",
                mode.name().toLowerCase(Locale.ROOT).replace('_', '-'), "lock.at-least-for", "0s"));
        if (mode == OnRetire.ARCHIVE) {
            settings.put("archive.directory", archive.toString());
        }

        PassReport report;
        CoordinatorWriter writer = CoordinatorWriter.start(db(),
                "INSERT INTO " + quoted + " (run_id, id, \"At\", note) SELECT 1 + n % 16, n, now(), 'live' FROM (SELECT ?::bigint) v(n)");
        try (writer) {
            report = Engine.on(db(), settings).runner().runIfLockFree().orElseThrow();
        }

        assertThat(report.converged()).as(report.failures().toString()).isTrue();
        assertThat(writer.failure()).as("an insert through the coordinator during the pass failed").isNull();
        assertThat(writer.inserted()).as("inserts through the coordinator during the pass").isPositive();
        String january = table + "_y2024m01";
        assertThat(db().jdbc().queryForObject("SELECT count(*) FROM pg_inherits WHERE inhparent = ?::regclass"
                + " AND inhrelid::regclass::text LIKE '%y2024m01%'", Long.class, quoted)).as("detached").isZero();
        assertThat(db().jdbc().queryForObject("SELECT count(*) FROM pg_inherits WHERE inhparent = ?::regclass", Long.class,
                quoted)).as("this month and the next (created by the pass, distributed as attached)").isEqualTo(2L);
        switch (mode) {
            case DROP -> {
                assertThat(exists(january)).isFalse();
                List<String> verify = new ArrayList<>(List.of("--verify"));
                settings.forEach((key, value) -> verify.add("--partwarden." + key + "=" + value));
                Commands.run(db(), verify.toArray(String[]::new));
                assertThat(output.getOut()).contains("INFO public." + table + " is a Citus distributed table: its retirements"
                        + " detach plainly");
            }
            case DETACH -> assertThat(db().jdbc().queryForObject("SELECT count(*) || ':' || sum(id) FROM "
                    + "\"" + january + "_detached\"", String.class)).isEqualTo(januaryRows);
            case ARCHIVE_TABLE -> {
                assertThat(db().jdbc().queryForObject("SELECT count(*) || ':' || sum(id) FROM "
                        + "\"" + table + "_archive\"", String.class)).isEqualTo(januaryRows);
                assertThat(db().jdbc().queryForList("SELECT colocationid || ':' || column_to_column_name(logicalrelid, partkey)"
                        + " FROM pg_dist_partition WHERE logicalrelid IN (?::regclass, ?::regclass)", String.class,
                        quoted, "\"" + table + "_archive\"")).as("distributed by run_id, colocated with the table")
                        .hasSize(2).containsOnly(db().jdbc().queryForObject("SELECT colocationid || ':run_id' FROM"
                                + " pg_dist_partition WHERE logicalrelid = ?::regclass", String.class, quoted));
            }
            case ARCHIVE -> {
                assertThat(exists(january)).isFalse();
                String manifest = db().jdbc().queryForObject("SELECT archive_manifest FROM partwarden.retirement"
                        + " WHERE partition_name = ? AND state = 'dropped'", String.class, january);
                Engine.restoreOn(db()).restore(manifest, TableName.parse("public.restored"), Duration.ofSeconds(5));
                assertThat(db().jdbc().queryForObject("SELECT count(*) || ':' || sum(id) FROM restored", String.class))
                        .isEqualTo(januaryRows);
                db().execute("DROP TABLE restored");
            }
        }
    }

    private static boolean exists(String relation) {
        return db().jdbc().queryForObject("SELECT to_regclass(format('%I', ?::text)) IS NOT NULL", Boolean.class, relation);
    }
}
