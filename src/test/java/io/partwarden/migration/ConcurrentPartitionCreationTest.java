package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.ddl.PartitionDdl;
import io.partwarden.plan.CreatePartition;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL API and the service making the same partition at the same time: creation is serialised
 * on the parent, so the second caller finds the first one's partition and both succeed, instead of
 * one failing on a duplicate pg_type row or an existing relation.
 */
@VersionSensitive
class ConcurrentPartitionCreationTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final TableName EVENTS = new TableName("public", "workflow_events");

    @BeforeAll
    static void convertMeshHookDatabase() {
        database.get().runScript("demo/meshhook.sql");
        TestProperties.migrate(database.get());
    }

    static String sqlApiCreate(Connection connection, String date) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT create_workflow_events_partition('" + date + "'::date)")) {
            result.next();
            return result.getString(1);
        }
    }

    static long partitionsNamed(String name) {
        return database.get().jdbc().queryForObject(
                "SELECT count(*) FROM partwarden.partitions('workflow_events') WHERE partition_name = ?", Long.class, name);
    }

    /** Waits until some other session waits for a lock while running a statement containing this text. */
    static void awaitLockWaiter(String statementText) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Long waiting = database.get().jdbc().queryForObject("""
                    SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ?""",
                    Long.class, "%" + statementText + "%");
            if (waiting > 0) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("no session came to wait for a lock running " + statementText);
    }

    @Test
    void aSecondCallerWaitsForTheFirstsOpenTransactionThenFindsItsPartition() throws Exception {
        ExecutorService second = Executors.newSingleThreadExecutor();
        try (Connection first = database.get().connect(); Connection other = database.get().connect()) {
            first.setAutoCommit(false);
            assertThat(sqlApiCreate(first, "2035-01-01")).isEqualTo("workflow_events_y2035m01");

            // the wait is bounded by the caller's lock_timeout
            try (Statement statement = other.createStatement()) {
                statement.execute("SET lock_timeout = '200ms'");
            }
            assertThatThrownBy(() -> sqlApiCreate(other, "2035-01-20")).hasMessageContaining("lock timeout");

            try (Statement statement = other.createStatement()) {
                statement.execute("SET lock_timeout = '30s'");
            }
            Future<String> waiting = second.submit(() -> sqlApiCreate(other, "2035-01-15"));
            awaitLockWaiter("'2035-01-15'");
            first.commit();

            assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo("workflow_events_y2035m01");
            assertThat(partitionsNamed("workflow_events_y2035m01")).isEqualTo(1);
        } finally {
            second.shutdownNow();
        }
    }

    @Test
    void theSqlApiAndTheServiceRacingForTheSameMonthBothSucceed() throws Exception {
        var jdbc = database.get().jdbc();
        PartitionDdl service = new PartitionDdl(jdbc, new io.partwarden.step.StepRunner(jdbc,
                new TransactionTemplate(new DataSourceTransactionManager(database.get().dataSource()))));
        PartwardenProperties.Table config = PartwardenProperties.Table.named("workflow_events");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection sqlApi = database.get().connect()) {
            for (int round = 0; round < 20; round++) {
                YearMonth month = YearMonth.of(2037, 1).plusMonths(round);
                String name = MonthlyPartitions.name(month);
                PartitionBounds bounds = new PartitionBounds(month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
                        month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
                CyclicBarrier start = new CyclicBarrier(2);
                CompletableFuture<String> byFunction = CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                        return sqlApiCreate(sqlApi, month.atDay(1).toString());
                    } catch (Exception e) {
                        throw new IllegalStateException("SQL API, " + name + ": " + e.getMessage(), e);
                    }
                }, pool);
                CompletableFuture<Void> byService = CompletableFuture.runAsync(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    service.create(new CreatePartition(EVENTS, name, bounds), config);
                }, pool);

                assertThat(byFunction.get(30, TimeUnit.SECONDS)).isEqualTo(name);
                byService.get(30, TimeUnit.SECONDS);
                assertThat(partitionsNamed(name)).as(name).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM partwarden.partitions('workflow_events')
                 WHERE lower_bound >= '2037-01-01 00:00:00+00' AND upper_bound <= '2038-09-01 00:00:00+00'""", Long.class))
                .isEqualTo(20);
    }
}
