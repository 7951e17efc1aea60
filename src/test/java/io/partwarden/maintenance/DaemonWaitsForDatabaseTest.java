package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.ServiceProcess;
import io.partwarden.testing.TcpProxy;
import io.partwarden.testing.TestDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The daemon started before its PostgreSQL accepts connections (a Pod starts both containers at
 * once) keeps running: liveness and readiness UP, the database DOWN in health, each retry logged
 * with its reason; once the database answers, it migrates, runs the start-up pass and schedules
 * the next. A separate JVM, pointed at a proxy that refuses until the test opens it.
 */
class DaemonWaitsForDatabaseTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    HttpResponse<String> get(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return null; // not listening yet
        }
    }

    HttpResponse<String> await(int port, String path, Predicate<HttpResponse<String>> condition, ServiceProcess daemon)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            HttpResponse<String> response = get(port, path);
            if (response != null && condition.test(response)) {
                return response;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such answer from " + path + " (last: " + (response == null ? "none"
                        : response.statusCode() + " " + response.body()) + "):\n" + daemon.output());
            }
            Thread.sleep(200);
        }
    }

    @Test
    void theDaemonWaitsForADatabaseThatIsNotUpYetThenMigratesAndMaintains() throws Exception {
        TestDatabase db = database.get();
        db.runScript("demo/meshhook.sql");
        var server = db.serverAddress();
        int port = freePort();
        try (TcpProxy proxy = new TcpProxy(server.getHostString(), server.getPort())) {
            proxy.stop(); // PostgreSQL still starting: the port refuses
            try (ServiceProcess daemon = ServiceProcess.start(Map.of(), List.of(
                    "--spring.datasource.url=" + db.urlVia("127.0.0.1", proxy.port()),
                    "--spring.datasource.username=" + db.user(), "--spring.datasource.password=" + db.password(),
                    "--partwarden.tables[0].name=workflow_events", "--server.port=" + port,
                    "--management.endpoint.health.show-details=always"))) {

                daemon.awaitOutput("retrying in 2s (attempt 2; the daemon waits for the database as long as it takes)",
                        Duration.ofSeconds(120));
                assertThat(daemon.output()).contains("cannot connect to database ")
                        .contains(" on 127.0.0.1:" + proxy.port() + " as user " + db.user() + ": Connection to 127.0.0.1:"
                                + proxy.port() + " refused");
                assertThat(await(port, "/actuator/health/liveness", r -> r.statusCode() == 200, daemon).body())
                        .contains("\"status\":\"UP\"");
                assertThat(get(port, "/actuator/health/readiness").statusCode()).isEqualTo(200);
                HttpResponse<String> health = get(port, "/actuator/health");
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("\"db\":{").containsPattern("\"db\":\\{[^}]*\\},\"status\":\"DOWN\"")
                        .containsPattern("\"partitions\":\\{\"details\":\\{\"database\":\"unavailable since [^\"]+: cannot connect");
                assertThat(db.jdbc().queryForObject("SELECT to_regnamespace('partwarden') IS NULL", Boolean.class))
                        .as("nothing migrated while waiting").isTrue();

                proxy.start();

                daemon.awaitOutput("Reached the database at attempt", Duration.ofSeconds(60));
                daemon.awaitOutput("Database schema is at version 11 (10 migrations applied now)", Duration.ofSeconds(60));
                daemon.awaitOutput("Maintenance pass: ", Duration.ofSeconds(60));
                await(port, "/actuator/health/db", r -> r.statusCode() == 200, daemon);
                await(port, "/actuator/health/partitions", r -> r.statusCode() == 200 && !r.body().contains("\"database\""), daemon);
                assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass",
                        String.class)).as("converted").isEqualTo("p");
                assertThat(daemon.output()).contains("Next scheduled maintenance pass at ");
            }
        }
    }
}
