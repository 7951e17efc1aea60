package io.partwarden.ddl;

import io.partwarden.step.LockRetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.plan.CreatePartition;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Partitions made by the service, through the same SQL function as the SQL API, on awkward names. */
@VersionSensitive
class PartitionDdlTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final TableName MIXED_CASE = new TableName("Audit Log", "Events");
    static final PartwardenProperties.Table CONFIG = new PartwardenProperties.Table("Audit Log.Events", "At", io.partwarden.config.Interval.MONTH, 3, null, java.time.ZoneId.of("UTC"), Duration.ofMillis(200), Duration.ofSeconds(5), 2,
            io.partwarden.config.OnRetire.DROP, null, false);
    static final PartitionBounds JANUARY = new PartitionBounds(Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("2027-02-01T00:00:00Z"));

    static PartitionDdl ddl;
    static PartitionCatalog catalog;

    @BeforeAll
    static void createMixedCaseTable() {
        TestProperties.migrate(database.get());
        database.get().execute("""
                CREATE SCHEMA "Audit Log";
                CREATE TABLE "Audit Log"."Events" ("Id" bigint NOT NULL, "At" timestamptz NOT NULL, "Kind" text,
                  PRIMARY KEY ("Id", "At")) PARTITION BY RANGE ("At");
                CREATE INDEX "Events_Kind_idx" ON "Audit Log"."Events" ("Kind");""");
        var jdbc = database.get().jdbc();
        ddl = new PartitionDdl(jdbc, new io.partwarden.step.StepRunner(jdbc,
                new TransactionTemplate(new DataSourceTransactionManager(database.get().dataSource()))));
        catalog = new PartitionCatalog(jdbc);
    }

    @Test
    void aPartitionOfAMixedCaseTableInASchemaWithASpaceIsMadeWithItsIndexes() {
        ddl.create(new CreatePartition(MIXED_CASE, "Events_y2027m01", JANUARY), CONFIG);
        assertThat(catalog.read(MIXED_CASE).ranged())
                .anySatisfy(p -> assertThat(p).extracting("name", "bounds").containsExactly("Events_y2027m01", JANUARY));
        assertThat(database.get().jdbc().queryForList("""
                SELECT indexname FROM pg_indexes WHERE schemaname = 'Audit Log' AND tablename = 'Events_y2027m01' ORDER BY 1""",
                String.class)).containsExactly("Events_y2027m01_Kind_idx", "Events_y2027m01_pkey");
    }

    @Test
    void thePrintedStatementsQuoteEveryIdentifier() {
        var march = new CreatePartition(MIXED_CASE, "Events_y2027m03", new PartitionBounds(
                Instant.parse("2027-03-01T00:00:00Z"), Instant.parse("2027-04-01T00:00:00Z")));
        assertThat(ddl.statements(march, CONFIG)).element(2).asString()
                .startsWith("CREATE TABLE \"Audit Log\".\"Events_y2027m03\" (LIKE \"Audit Log\".\"Events\" ");
        assertThat(ddl.statements(march, CONFIG)).anySatisfy(s -> assertThat(s)
                .startsWith("ALTER TABLE \"Audit Log\".\"Events\" ATTACH PARTITION \"Audit Log\".\"Events_y2027m03\""));
        assertThat(catalog.read(MIXED_CASE).partitions()).noneMatch(p -> p.name().equals("Events_y2027m03"));
    }

    @Test
    void anOverlappingPartitionIsRefusedNamingTheOneInTheWay() {
        ddl.create(new CreatePartition(MIXED_CASE, "Events_y2027m05", new PartitionBounds(
                Instant.parse("2027-05-01T00:00:00Z"), Instant.parse("2027-06-01T00:00:00Z"))), CONFIG);
        var overlapping = new CreatePartition(MIXED_CASE, "Events_mid_may", new PartitionBounds(
                Instant.parse("2027-05-15T00:00:00Z"), Instant.parse("2027-06-15T00:00:00Z")));
        assertThatThrownBy(() -> ddl.create(overlapping, CONFIG))
                .hasMessageContaining("would overlap partition Events_y2027m05");
        assertThat(database.get().jdbc().queryForObject(
                "SELECT to_regclass('\"Audit Log\".\"Events_mid_may\"') IS NULL", Boolean.class)).isTrue();
    }

    @Test
    void aHeldLockMakesEveryAttemptTimeOutAndNothingIsLeftBehind() throws Exception {
        var april = new CreatePartition(MIXED_CASE, "Events_y2027m04", new PartitionBounds(
                Instant.parse("2027-04-01T00:00:00Z"), Instant.parse("2027-05-01T00:00:00Z")));
        try (Connection blocker = database.get().connect()) {
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("LOCK TABLE \"Audit Log\".\"Events\" IN SHARE UPDATE EXCLUSIVE MODE");
            assertThatThrownBy(() -> ddl.create(april, CONFIG))
                    .isInstanceOf(LockRetry.LockNotAcquiredException.class)
                    .hasMessageContaining("gave up after 2 attempts")
                    .hasMessageContaining("nothing was changed");
            blocker.rollback();
        }
        assertThat(database.get().jdbc().queryForObject(
                "SELECT to_regclass('\"Audit Log\".\"Events_y2027m04\"') IS NULL", Boolean.class)).isTrue();
        ddl.create(april, CONFIG);
        assertThat(catalog.read(MIXED_CASE).partitions()).anyMatch(p -> p.name().equals("Events_y2027m04"));
    }
}
