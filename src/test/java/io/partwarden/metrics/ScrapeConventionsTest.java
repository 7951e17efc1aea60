package io.partwarden.metrics;

import static io.partwarden.testing.RunningDaemon.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.RunningDaemon;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The daemon's whole {@code /actuator/prometheus} scrape, JVM, Hikari and HTTP meters included,
 * passes {@code promtool check metrics}, as Prometheus' own tooling reads it. promtool is a
 * prerequisite that can be installed (Debian's {@code prometheus} package; {@code .ci/run} does
 * so), so its absence fails the test rather than skipping it.
 */
class ScrapeConventionsTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String TABLE = "public.workflow_events";

    @Test
    void theWholeScrapeOfARunningDaemonPassesPromtoolCheckMetrics() throws Exception {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");
        try (RunningDaemon daemon = RunningDaemon.on(database.get().url(), database.get().user(), database.get().password(),
                "--partwarden.metrics.refresh-interval=300ms")) {
            await("the start-up pass has run and been read", Duration.ofSeconds(60),
                    () -> daemon.scrape().value("partwarden_last_success_timestamp_seconds", "table", TABLE).isPresent()
                            && daemon.scrape().value("partwarden_catalog_up", "table", TABLE).orElse(0.0) == 1.0);
            // every kind of request a sidecar answers, so that the HTTP meters carry each outcome
            assertThat(daemon.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
            assertThat(daemon.get("/actuator/health").statusCode()).isEqualTo(200);
            assertThat(daemon.get("/no-such-page").statusCode()).isEqualTo(404);
            String scrape = daemon.get("/actuator/prometheus").body();

            assertThat(scrape).contains("\nhttp_server_requests_seconds_count{", "\njvm_memory_used_bytes{",
                    "\nhikaricp_connections_active{", "\npartwarden_runway_seconds{");
            assertThat(promtoolCheckMetrics(scrape)).as("promtool check metrics on the whole scrape:\n" + scrape).isEmpty();
        }
    }

    @Test
    void aMeterALibraryRegistersWithoutADescriptionStillPassesPromtool() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new ScrapeConventions());
        Counter.builder("some.library.events").register(registry).increment();
        Counter.builder("tomcat.sessions.created").baseUnit("sessions").register(registry);

        String scrape = registry.scrape();

        assertThat(scrape).contains("# HELP some_library_events_total ").doesNotContain("tomcat_");
        assertThat(promtoolCheckMetrics(scrape)).as(scrape).isEmpty();
    }

    /** What promtool objects to; empty when the scrape passes. */
    static String promtoolCheckMetrics(String scrape) throws IOException, InterruptedException {
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("promtool is not installed, and this test needs it: install Debian's prometheus"
                    + " package (apt-get install -y prometheus), as .ci/run does (" + e.getMessage() + ")", e);
        }
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        String objections = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        return promtool.exitValue() == 0 ? "" : "exit " + promtool.exitValue() + ": " + objections;
    }
}
