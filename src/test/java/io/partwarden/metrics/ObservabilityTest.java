package io.partwarden.metrics;

import static io.partwarden.testing.RunningDaemon.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.maintenance.PassRunner;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.RunningDaemon;
import io.partwarden.testing.Scrape;
import io.partwarden.testing.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The daemon's metrics and health on a converted MeshHook database, reached through a proxy
 * so that the test can take the database away from this service alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static TcpProxy proxy;
    static RunningDaemon daemon;

    static final String TABLE = "public.workflow_events";

    @BeforeAll
    static void startDaemonOnMeshHookDatabase() throws Exception {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        var server = database.get().serverAddress();
        proxy = new TcpProxy(server.getHostString(), server.getPort());
        daemon = RunningDaemon.on(database.get().urlVia("127.0.0.1", proxy.port()), database.get().user(),
                database.get().password(), "--partwarden.metrics.refresh-interval=300ms", "--partwarden.lock.at-least-for=0s",
                "--spring.datasource.hikari.connection-timeout=1000", "--management.endpoint.health.show-details=always");
        await("the start-up pass has run and been read", Duration.ofSeconds(30),
                () -> daemon.scrape().value("partwarden_last_success_timestamp_seconds", "table", TABLE).isPresent()
                        && daemon.scrape().value("partwarden_catalog_up", "table", TABLE).orElse(0.0) == 1.0);
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
        proxy.close();
    }

    @Test
    @Order(1)
    void aScrapeAfterAPassCarriesEverySeriesWithTheCatalogsValues() {
        Scrape scrape = daemon.scrape();
        List<Map<String, Object>> stats = database.get().jdbc().queryForList("SELECT * FROM get_workflow_events_partition_stats()");
        assertThat(stats).hasSizeGreaterThan(5);
        for (Map<String, Object> partition : stats) {
            String name = (String) partition.get("partition_name");
            assertThat(scrape.value("partwarden_partition_size_bytes", "table", TABLE, "partition", name))
                    .as("size of " + name).contains(((Long) partition.get("size_bytes")).doubleValue());
            assertThat(scrape.value("partwarden_partition_rows", "table", TABLE, "partition", name))
                    .as("rows of " + name).contains(((Long) partition.get("row_count")).doubleValue());
        }
        assertThat(scrape.value("partwarden_partitions", "table", TABLE)).contains((double) stats.size());
        assertThat(scrape.value("partwarden_default_partition_rows", "table", TABLE)).contains(0.0);
        assertThat(scrape.value("partwarden_detached_tables", "table", TABLE)).contains(0.0);
        assertThat(scrape.value("partwarden_retirements_under_way", "table", TABLE)).contains(0.0);
        assertThat(scrape.value("partwarden_catalog_up", "table", TABLE)).contains(1.0);
        Instant coveredUntil = database.get().jdbc().queryForObject(
                "SELECT max(upper_bound) FROM partwarden.partitions('workflow_events')", java.sql.Timestamp.class).toInstant();
        assertThat(scrape.value("partwarden_runway_seconds", "table", TABLE).orElseThrow())
                .isCloseTo(Duration.between(Instant.now(), coveredUntil).toSeconds(), org.assertj.core.data.Offset.offset(60.0));
        assertThat(scrape.value("partwarden_oldest_partition_start_timestamp_seconds", "table", TABLE).orElseThrow())
                .isEqualTo(database.get().jdbc().queryForObject(
                        "SELECT extract(epoch FROM min(lower_bound)) FROM partwarden.partitions('workflow_events')", Double.class));
        assertThat(scrape.value("partwarden_last_success_timestamp_seconds", "table", TABLE).orElseThrow())
                .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(120.0));
        assertThat(scrape.value("partwarden_pass_duration_seconds_count")).hasValueSatisfying(n -> assertThat(n).isPositive());
        assertThat(scrape.find("partwarden_actions_total", "table", TABLE)).extracting(s -> s.labels().get("kind"))
                .contains("created", "retired", "archived");
        assertThat(scrape.value("partwarden_failures_total", "table", TABLE, "action", "created")).contains(0.0);
    }

    @Test
    @Order(2)
    void thePartitionsComponentTurnsDownWhenPartitionsRunOutAndUpAfterAPassWhileTheProbesStayUp() throws Exception {
        database.get().execute("""
                DO $$ DECLARE p record; BEGIN
                  FOR p IN SELECT partition FROM partwarden.partitions('workflow_events') WHERE lower_bound > now() LOOP
                    EXECUTE format('DROP TABLE %s', p.partition);
                  END LOOP;
                END $$;""");
        await("the partitions component is DOWN", Duration.ofSeconds(10),
                () -> daemon.get("/actuator/health/partitions").statusCode() == 503);
        assertThat(daemon.get("/actuator/health/partitions").body()).contains("\"partitionsAhead\":0");
        assertThat(daemon.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(daemon.get("/actuator/health/readiness").statusCode()).isEqualTo(200);

        assertThat(daemon.bean(PassRunner.class).runIfLockFree()).hasValueSatisfying(r -> assertThat(r.converged()).isTrue());
        assertThat(daemon.get("/actuator/health/partitions").statusCode()).isEqualTo(200);
        assertThat(daemon.scrape().value("partwarden_actions_total", "table", TABLE, "kind", "created").orElseThrow())
                .isGreaterThanOrEqualTo(3.0);
    }

    @Test
    @Order(3)
    void whileTheDatabaseIsAwayDbAndTheCatalogAreDownTheirSeriesDroppedAndTheProbesStayUp() throws Exception {
        proxy.stop();
        await("db is DOWN", Duration.ofSeconds(20), () -> daemon.get("/actuator/health/db").statusCode() == 503);
        await("the catalog is marked down", Duration.ofSeconds(20),
                () -> daemon.scrape().value("partwarden_catalog_up", "table", TABLE).orElse(1.0) == 0.0);
        Scrape down = daemon.scrape();
        assertThat(down.find("partwarden_partition_size_bytes")).isEmpty();
        assertThat(down.find("partwarden_runway_seconds")).isEmpty();
        assertThat(daemon.get("/actuator/health/partitions").statusCode()).isEqualTo(503);
        assertThat(daemon.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(daemon.get("/actuator/health/readiness").statusCode()).isEqualTo(200);

        proxy.start();
        await("db is UP again", Duration.ofSeconds(20), () -> daemon.get("/actuator/health/db").statusCode() == 200);
        await("the catalog is read again", Duration.ofSeconds(20),
                () -> daemon.scrape().value("partwarden_catalog_up", "table", TABLE).orElse(0.0) == 1.0);
        assertThat(daemon.scrape().find("partwarden_partition_size_bytes")).isNotEmpty();
    }
}
