package io.partwarden.demo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Once the demo is up, says where to look. */
@Component
@ConditionalOnProperty("partwarden.demo.port")
class DemoGuide {

    private static final Logger log = LoggerFactory.getLogger(DemoGuide.class);

    private final Environment environment;

    DemoGuide(Environment environment) {
        this.environment = environment;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void explain() {
        String http = "http://localhost:" + environment.getProperty("local.server.port", "9470");
        log.info("""

                Partwarden demo is running. Look at:
                  health   {}/actuator/health
                  runway   {}/actuator/health/partitions
                  metrics  {}/actuator/prometheus   (partwarden_*)
                  SQL      psql -h 127.0.0.1 -p {} -U postgres {}
                           SELECT * FROM get_workflow_events_partition_stats();
                  archive  {}
                           the month older than 4 months, and its manifest; to load it into a table, meanwhile:
                           java -jar target/partwarden.jar --spring.datasource.url=jdbc:postgresql://127.0.0.1:{}/{} \\
                             --spring.datasource.username=postgres --restore=<its .manifest.json> --restore-into=public.restored
                Ctrl-C stops the service and the embedded PostgreSQL, and deletes {}
                """, http, http, http, environment.getProperty("partwarden.demo.port"), DemoEnvironment.DATABASE,
                environment.getProperty("partwarden.archive.directory"), environment.getProperty("partwarden.demo.port"),
                DemoEnvironment.DATABASE, environment.getProperty("partwarden.demo.directory"));
    }
}
