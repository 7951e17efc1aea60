package io.partwarden.demo;

import static io.partwarden.testing.RunningDaemon.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.archive.ManifestFile;

import io.partwarden.testing.RunningDaemon;
import io.partwarden.testing.Scrape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
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
        Path directory;
        try (RunningDaemon demo = RunningDaemon.withArgs("--demo")) {
            directory = Path.of(demo.property("partwarden.demo.directory"));
            assertThat(directory).isDirectory();
            // the partitions component answers 200 while still UNKNOWN (not read yet): wait for the read itself
            await("the demo's table is converted and read", Duration.ofSeconds(60), () -> demo.scrape()
                    .value("partwarden_catalog_up", "table", "public.workflow_events").orElse(0.0) == 1.0);
            assertThat(demo.get("/actuator/health/partitions").body()).contains("\"status\":\"UP\"");
            double inPartitions = demo.scrape().find("partwarden_partition_rows", "table", "public.workflow_events")
                    .stream().mapToDouble(Scrape.Series::value).sum();
            List<Path> manifests;
            try (var files = Files.walk(Path.of(demo.property("partwarden.archive.directory")))) {
                manifests = files.filter(f -> f.toString().endsWith(".manifest.json")).toList();
            }
            assertThat(manifests).as("the month before the 4 kept").hasSize(1);
            assertThat(inPartitions + ManifestFile.read(manifests.get(0)).rows()).as("every event, kept or archived")
                    .isEqualTo(10_000.0);
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
}
