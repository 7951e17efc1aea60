package io.partwarden.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * {@code --demo} with no datasource configured: starts a throw-away PostgreSQL, fills it with
 * MeshHook's schema and 10,000 events over the last 150 days (a plain workflow_events, as
 * MeshHook ships it), and points the service at it, before anything connects; the migration then
 * converts it. A datasource given on the command line, or anywhere else, wins: then no embedded
 * server starts.
 */
class DemoEnvironment implements EnvironmentPostProcessor {

    static final String SOURCE = "partwarden-demo";
    static final String DATABASE = "meshhook";
    static final String[] SEED = {"demo/meshhook.sql", "demo/meshhook-events.sql"};

    private final Log log;

    DemoEnvironment(DeferredLogFactory logs) {
        this.log = logs.getLog(DemoEnvironment.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.containsProperty("demo") || environment.containsProperty("spring.datasource.url")) {
            return;
        }
        try {
            DemoLeftovers.clear(Path.of(System.getProperty("java.io.tmpdir"))).forEach(log::info);
            log.info("--demo: starting an embedded PostgreSQL");
            DemoPostgres postgres = DemoPostgres.start();
            // stopped with the application, or at the latest when the JVM exits
            application.addListeners((ContextClosedEvent closed) -> postgres.close());
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "partwarden-demo-stop"));
            seed(postgres);
            Path archive = Files.createDirectories(postgres.home().resolve("archive"));
            // last in line: anything given on the command line or in a file wins
            environment.getPropertySources().addLast(new MapPropertySource(SOURCE, Map.of(
                    "spring.datasource.url", postgres.jdbcUrl(DATABASE),
                    "spring.datasource.username", "postgres",
                    "partwarden.demo.port", postgres.port(),
                    "partwarden.demo.directory", postgres.home().toString(),
                    // four months kept: the oldest month of the 150 days goes to a verified archive file
                    "partwarden.tables[0].name", "public.workflow_events",
                    "partwarden.tables[0].retention", "4m",
                    "partwarden.tables[0].on-retire", "archive",
                    "partwarden.archive.directory", archive.toString())));
            log.info("--demo: PostgreSQL is up on 127.0.0.1:" + postgres.port() + " (its files in " + postgres.home()
                    + "), database " + DATABASE
                    + ", with MeshHook's schema and 10,000 events over the last 150 days; 4 months are kept,"
                    + " older ones archived to " + archive);
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw new IllegalStateException("--demo could not start its embedded PostgreSQL: " + e.getMessage()
                    + "; give a database with --spring.datasource.url=... instead", e);
        }
    }

    private static void seed(DemoPostgres postgres) throws IOException {
        try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", "");
             Statement create = admin.createStatement()) {
            create.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException("creating the demo database: " + e.getMessage(), e);
        }
        try (Connection demo = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), "postgres", "");
             Statement statement = demo.createStatement()) {
            for (String script : SEED) {
                try (InputStream in = DemoEnvironment.class.getClassLoader().getResourceAsStream(script)) {
                    statement.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("filling the demo database: " + e.getMessage(), e);
        }
    }
}
