package io.partwarden.demo;

import io.partwarden.PartwardenApplication;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.maintenance.PassFinished;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Once the demo is up and its first pass has run (so that the month it archives exists), says
 * where to look, with the command that restores that archive as it can be pasted: this very
 * jar, the demo's database, the archive's manifest.
 */
@Component
@ConditionalOnProperty("partwarden.demo.port")
class DemoGuide {

    private static final Logger log = LoggerFactory.getLogger(DemoGuide.class);
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private final Environment environment;
    private final boolean passAtStartup;
    private boolean ready;
    private boolean passed;
    private boolean told;

    DemoGuide(Environment environment, PartwardenProperties properties) {
        this.environment = environment;
        this.passAtStartup = properties.passAtStartup();
    }

    @EventListener(ApplicationReadyEvent.class)
    public synchronized void onReady() {
        ready = true;
        explainOnce();
    }

    @EventListener
    public synchronized void onPassFinished(PassFinished event) {
        passed = true;
        explainOnce();
    }

    private void explainOnce() {
        if (told || !ready || (passAtStartup && !passed)) {
            return;
        }
        told = true;
        String http = "http://localhost:" + environment.getProperty("local.server.port", "9470");
        String port = environment.getProperty("partwarden.demo.port");
        Path archive = Path.of(environment.getRequiredProperty("partwarden.archive.directory"));
        String restore = manifest(archive).map(manifest -> """
                the month older than 4 months: %s
                           to load it into a table, meanwhile:
                           %s --spring.datasource.url=jdbc:postgresql://127.0.0.1:%s/%s --spring.datasource.username=postgres --restore=%s --restore-into=public.restored"""
                .formatted(manifest, launcher(System.getProperty("java.class.path")), port, DemoEnvironment.DATABASE,
                        quote(manifest.toString())))
                .orElse(passed ? "nothing archived: the first pass did not archive the month older than 4 months (see the log above)"
                        : "nothing archived yet: the first pass (partwarden.schedule) archives the month older than 4 months");
        log.info("""

                Partwarden demo is running. Look at:
                  health   {}/actuator/health
                  runway   {}/actuator/health/partitions
                  metrics  {}/actuator/prometheus   (partwarden_*)
                  SQL      psql -h 127.0.0.1 -p {} -U postgres {}
                           SELECT * FROM get_workflow_events_partition_stats();
                  archive  {}
                           {}
                Ctrl-C stops the service and the embedded PostgreSQL, and deletes {}
                """, http, http, http, port, DemoEnvironment.DATABASE, archive, restore,
                environment.getProperty("partwarden.demo.directory"));
    }

    /** The oldest archive's manifest, if a pass has archived a month. */
    static Optional<Path> manifest(Path archive) {
        try (Stream<Path> files = Files.walk(archive)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".manifest.json")).sorted().findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * How to start this very program again: {@code java -jar} and the jar's absolute path when
     * it runs from a jar (the JVM's class path is then the jar alone), else the class path and
     * the main class.
     */
    static String launcher(String classPath) {
        List<String> entries = List.of(classPath.split(Pattern.quote(File.pathSeparator)));
        if (entries.size() == 1 && entries.get(0).endsWith(".jar")) {
            return "java -jar " + quote(Path.of(entries.get(0)).toAbsolutePath().normalize().toString());
        }
        return "java -cp " + quote(entries.stream().map(e -> Path.of(e).toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(File.pathSeparator))) + " " + PartwardenApplication.class.getName();
    }

    /** As a POSIX shell reads it back. */
    static String quote(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
