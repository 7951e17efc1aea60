package io.partwarden.security;

import static io.partwarden.testing.RunningDaemon.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.RunningDaemon;
import io.partwarden.testing.TestProperties;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whoever reaches the daemon's port (a sidecar's port is reachable from the Pod network) sees,
 * by default, the health status of each component but no details: no SQL error text, no table
 * state, no paths. The probes and the Prometheus scrape answer as before.
 */
class HealthDetailsExposureTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static RunningDaemon daemon;

    /** The text of the failure the start-up pass meets: PostgreSQL's, naming a relation. */
    static final String SQL_ERROR_TEXT = "exists and is not a partition";

    @BeforeAll
    static void startDaemonWhosePassFailsWithASqlError() throws Exception {
        TestProperties.migrate(database.get());
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        database.get().execute("""
                CREATE TABLE blocked (at timestamptz NOT NULL) PARTITION BY RANGE (at);
                CREATE TABLE blocked_y%04dm%02d (note text);""".formatted(now.getYear(), now.getMonthValue()));
        daemon = RunningDaemon.on(database.get().url(), database.get().user(), database.get().password(),
                "--partwarden.tables[0].name=blocked", "--partwarden.tables[0].column=at",
                "--partwarden.metrics.refresh-interval=300ms", "--partwarden.lock.at-least-for=0s");
        await("the start-up pass has failed and the statistics were read", Duration.ofSeconds(30),
                () -> daemon.scrape().value("partwarden_failures_total", "table", "blocked", "action", "created").orElse(0.0) > 0
                        && daemon.scrape().value("partwarden_catalog_up", "table", "blocked").orElse(0.0) == 1.0);
    }

    @AfterAll
    static void stop() {
        daemon.close();
    }

    @Test
    void theHealthEndpointShowsEachComponentsStatusButNoDetails() {
        HttpResponse<String> health = daemon.get("/actuator/health");

        assertThat(health.body()).contains("\"components\"", "\"partitions\":{\"status\":", "\"db\":{\"status\":\"UP\"}")
                .doesNotContain("lastError", "lastPassError", "\"details\"", "\"tables\"", SQL_ERROR_TEXT, "PostgreSQL",
                        "blocked");
    }

    @Test
    void aComponentsOwnPathShowsItsStatusOnly() {
        HttpResponse<String> partitions = daemon.get("/actuator/health/partitions");

        assertThat(partitions.body()).matches("\\{\"status\":\"[A-Z]+\"}");
    }

    @Test
    void theProbesAndTheScrapeStillAnswer() {
        assertThat(daemon.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(daemon.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        HttpResponse<String> scrape = daemon.get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("partwarden_runway_seconds{").doesNotContain(SQL_ERROR_TEXT);
    }
}
