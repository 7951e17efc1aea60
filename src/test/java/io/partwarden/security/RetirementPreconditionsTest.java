package io.partwarden.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import io.partwarden.plan.RetirePartition;
import io.partwarden.testing.Commands;
import io.partwarden.testing.Engine;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the role or the database is set to must not defeat the service, and a retirement that
 * could not be finished once the partition is detached must not begin: its rows would be out of
 * the parent for good.
 */
@VersionSensitive
class RetirementPreconditionsTest {

    @TempDir
    Path archive;

    @Test
    void aDatabaseStatementTimeoutShorterThanTheWorkStopsNeitherTheConversionNorAnArchivingRetirement() {
        try (TestDatabase db = TestDatabase.create("RetirementPreconditionsTimeout")) {
            db.runScript("demo/meshhook.sql");
            db.runScript("demo/meshhook-events.sql");
            // as a role's or a database's own setting would: every new session gets it
            db.execute("ALTER DATABASE " + db.jdbc().queryForObject("SELECT current_database()", String.class)
                    + " SET statement_timeout = '100ms'");

            int exit = Commands.run(db, "--once", "--partwarden.tables[0].name=public.workflow_events",
                    "--partwarden.tables[0].retention=3m", "--partwarden.tables[0].on-retire=archive",
                    "--partwarden.archive.directory=" + archive);

            assertThat(exit).isZero();
            assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass",
                    String.class)).isEqualTo("p");
            assertThat(db.jdbc().queryForObject("SELECT count(*) FROM partwarden.retirement WHERE state = 'dropped'", Long.class))
                    .isPositive();
        }
    }

    @Test
    void aPartitionOwnedByAnotherRoleThanItsParentIsRefusedBeforeItIsDetached() {
        String other = ("pw_owner_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24))).toLowerCase(Locale.ROOT);
        try (TestDatabase db = TestDatabase.create("RetirementPreconditionsOwner")) {
            TestProperties.migrate(db);
            db.execute("""
                    CREATE ROLE %1$s NOLOGIN;
                    CREATE TABLE owned (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
                    SELECT partwarden.create_month_partition('owned', '2024-01-15');
                    INSERT INTO owned VALUES (1, '2024-01-02');
                    ALTER TABLE owned_y2024m01 OWNER TO %1$s;""".formatted(other));
            try {
                Engine engine = Engine.on(db, Map.of("tables[0].name", "owned", "tables[0].column", "at",
                        "tables[0].retention", "12m"));
                Partition january = engine.catalog().read(TableName.parse("owned")).partitions().get(0);
                RetirePartition retire = new RetirePartition(TableName.parse("owned"), january, true, "older than P12M", OnRetire.DROP);

                assertThatThrownBy(() -> engine.executor().apply(retire, engine.properties().tables().get(0)))
                        .hasMessageContaining("not retired, left attached")
                        .hasMessageContaining("belongs to role " + other)
                        .hasMessageContaining("ALTER TABLE public.owned_y2024m01 OWNER TO");

                assertThat(db.jdbc().queryForObject("SELECT relispartition FROM pg_class WHERE oid = 'owned_y2024m01'::regclass",
                        Boolean.class)).isTrue();
                assertThat(db.jdbc().queryForObject("SELECT count(*) FROM owned", Long.class)).isEqualTo(1);
                assertThat(db.jdbc().queryForObject("SELECT count(*) FROM partwarden.retirement", Long.class)).isZero();
            } finally {
                db.execute("DROP OWNED BY " + other + "; DROP ROLE " + other);
            }
        }
    }
}
