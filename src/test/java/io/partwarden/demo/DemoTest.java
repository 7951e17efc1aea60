package io.partwarden.demo;

import static io.partwarden.testing.RunningDaemon.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.archive.ManifestFile;

import io.partwarden.testing.RunningDaemon;
import io.partwarden.testing.Scrape;
import io.partwarden.testing.ServiceProcess;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
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
 * service stops the server and deletes its directory; after a {@code kill -9}, the next demo
 * stops the server left running and deletes its directory. The guide gives a restore command
 * that runs as printed.
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
    void aDemoKilledWithSigkillIsClearedByTheNextWhoseGuideGivesARestoreCommandThatRuns(@TempDir Path jars) throws Exception {
        Path jar = ServiceProcess.pathingJar(jars);
        Path killedHome;
        long killedPostmaster;
        try {
            try (ServiceProcess killed = ServiceProcess.startJar(jar, Map.of(), List.of("--demo", "--server.port=0"))) {
                killed.awaitOutput("--demo: PostgreSQL is up", Duration.ofSeconds(120));
                killedHome = Path.of(match(killed.output(), "its files in (\\S+)\\)"));
                killedPostmaster = Long.parseLong(Files.readAllLines(killedHome.resolve("data/postmaster.pid")).get(0).trim());
                killed.kill9();
            }
            assertThat(running(killedPostmaster)).as("kill -9 leaves the embedded PostgreSQL running").isTrue();
            assertThat(killedHome).isDirectory();

            try (ServiceProcess next = ServiceProcess.startJar(jar, Map.of(), List.of("--demo", "--server.port=0"))) {
                Path nextHome;
                try {
                    next.awaitOutput("Partwarden demo is running", Duration.ofSeconds(180));
                    String output = next.output();
                    nextHome = Path.of(match(output, "its files in (\\S+)\\)"));

                    assertThat(output).contains("left " + killedHome + ": stopped its PostgreSQL (postmaster " + killedPostmaster)
                            .contains("and deleted the directory");
                    assertThat(killedHome).as("the killed demo's directory").doesNotExist();
                    assertThat(running(killedPostmaster)).as("the killed demo's postmaster").isFalse();

                    String restore = match(output, "(?m)^\\s*(java -jar \\S+ .*--restore-into=public\\.restored)\\s*$");
                    assertThat(restore).as("this very jar").startsWith("java -jar " + jar.toAbsolutePath() + " ");
                    Path manifest = Path.of(match(restore, "--restore=(\\S+)"));
                    assertThat(manifest).as("the archive's manifest").isRegularFile();
                    ProcessBuilder pasted = new ProcessBuilder("bash", "-c", restore).redirectErrorStream(true);
                    pasted.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
                    Process restoring = pasted.start();
                    String restored = new String(restoring.getInputStream().readAllBytes());
                    assertThat(restoring.waitFor(120, TimeUnit.SECONDS)).isTrue();
                    assertThat(restoring.exitValue()).as(restored).isZero();
                    try (Connection demo = DriverManager.getConnection(match(restore, "--spring.datasource.url=(\\S+)"), "postgres", "");
                         ResultSet count = demo.createStatement().executeQuery("SELECT count(*) FROM public.restored")) {
                        count.next();
                        assertThat(count.getLong(1)).as("the archived month, restored").isEqualTo(ManifestFile.read(manifest).rows());
                    }
                } finally {
                    next.stop(Duration.ofSeconds(60));
                }
                assertThat(nextHome).as("Ctrl-C still deletes the demo's own directory").doesNotExist();
            }
        } finally {
            // whatever a failure above left of the killed demo
            DemoLeftovers.clear(Path.of(System.getProperty("java.io.tmpdir")));
        }
    }

    private static boolean running(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent();
    }

    private static String match(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("/" + regex + "/ in:\n" + text).isTrue();
        return matcher.group(1);
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
