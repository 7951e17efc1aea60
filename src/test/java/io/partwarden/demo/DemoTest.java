package io.partwarden.demo;

import static io.partwarden.testing.RunningDaemon.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.PartwardenApplication;
import io.partwarden.testing.Scrape;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * {@code --demo} with no datasource: an embedded PostgreSQL (run as nobody when this JVM is
 * root, as CI's is), MeshHook's table converted, health and metrics served; stopping the
 * service stops the server and deletes its directory.
 */
class DemoTest {

    @Test
    void theDemoConvertsAMeshHookTableOnAnEmbeddedServerAndCleansUpOnExit() throws Exception {
        String[] args = {"--demo", "--server.port=0"};
        ConfigurableApplicationContext context = PartwardenApplication.application(args).run(args);
        Path directory = Path.of(context.getEnvironment().getRequiredProperty("partwarden.demo.directory"));
        String base = "http://127.0.0.1:" + context.getEnvironment().getRequiredProperty("local.server.port");
        HttpClient http = HttpClient.newHttpClient();
        try {
            assertThat(directory).isDirectory();
            // the partitions component answers 200 while still UNKNOWN (not read yet): wait for the read itself
            await("the demo's table is converted and read", Duration.ofSeconds(60), () -> Scrape.parse(get(http,
                    base + "/actuator/prometheus").body()).value("partwarden_catalog_up", "table", "public.workflow_events")
                    .orElse(0.0) == 1.0);
            assertThat(get(http, base + "/actuator/health/partitions").body()).contains("\"status\":\"UP\"");
            Scrape scrape = Scrape.parse(get(http, base + "/actuator/prometheus").body());
            assertThat(scrape.find("partwarden_partition_rows", "table", "public.workflow_events")
                    .stream().mapToDouble(Scrape.Series::value).sum()).isEqualTo(10_000.0);
        } finally {
            context.close();
        }
        assertThat(Files.exists(directory)).as("the embedded server's directory is deleted").isFalse();
    }

    @Test
    void aDatasourceGivenOnTheCommandLineWinsOverTheDemo() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(
                "--demo", "--spring.datasource.url=jdbc:postgresql://db.example:5432/app"));
        DeferredLogFactory logs = destination -> destination.get();
        new DemoEnvironment(logs).postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getPropertySources().contains(DemoEnvironment.SOURCE)).isFalse();
        assertThat(environment.getProperty("spring.datasource.url")).isEqualTo("jdbc:postgresql://db.example:5432/app");
    }

    private static HttpResponse<String> get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
