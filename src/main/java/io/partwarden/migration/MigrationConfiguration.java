package io.partwarden.migration;

import io.partwarden.config.PartwardenProperties;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.MigrationInfo;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Nothing here touches the database while the application starts: the migration runs in the
 * start-up sequence (which can wait for the database), and the modes that change nothing read
 * which migrations are pending only when they ask.
 */
@Configuration(proxyBeanMethods = false)
public class MigrationConfiguration {

    @Bean
    public SchemaState schemaState(DataSource dataSource, PartwardenProperties properties) {
        return new SchemaState(dataSource, properties);
    }

    /**
     * Which of Partwarden's migrations the database has not had yet, read from Flyway's history
     * (reading it changes nothing) the first time it is asked, once the database has been reached.
     */
    public static final class SchemaState {

        /** Migration 3 creates, converts or adopts workflow_events and installs the SQL API. */
        static final String EVENTS_TABLE_VERSION = "3";

        private final DataSource dataSource;
        private final PartwardenProperties properties;
        private volatile List<MigrationInfo> pending;

        SchemaState(DataSource dataSource, PartwardenProperties properties) {
            this.dataSource = dataSource;
            this.properties = properties;
        }

        /** The pending migrations, e.g. {@code V3 workflow events}; none after a run that migrated. */
        public List<String> pending() {
            return pendingMigrations().stream().map(m -> "V" + m.getVersion() + " " + m.getDescription()).toList();
        }

        /** Whether the migration that creates, converts or adopts the events table has yet to run. */
        public boolean eventsTablePending() {
            return pendingMigrations().stream().anyMatch(m -> EVENTS_TABLE_VERSION.equals(m.getVersion().getVersion()));
        }

        private List<MigrationInfo> pendingMigrations() {
            if (pending == null) {
                pending = List.copyOf(Arrays.asList(SchemaMigration.flyway(dataSource, properties).info().pending()));
            }
            return pending;
        }
    }
}
