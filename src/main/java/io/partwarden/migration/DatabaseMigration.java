package io.partwarden.migration;

import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.meshhook.MeshHookEvents;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The database steps of start-up, which the start-up sequence runs in order and, for a database
 * not up yet, again: reach the database, then (in the modes that change it) check it accepts
 * writes and migrate, saying afterwards exactly what the migration did.
 */
@Component
public class DatabaseMigration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseMigration.class);

    static final String EVENTS_TABLE_KIND = """
            SELECT c.relkind::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = 'workflow_events'""";

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final PartwardenProperties properties;

    public DatabaseMigration(DataSource dataSource, JdbcTemplate jdbc, PartwardenProperties properties) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.properties = properties;
    }

    /** @throws DatabaseUnavailableException if the database does not accept a connection */
    public void checkConnection() {
        DatabaseConnection.check(dataSource);
    }

    /** The table migration 3 creates, converts or adopts. */
    public TableName eventsTable() {
        return new TableName(properties.eventsSchema(), MeshHookEvents.TABLE);
    }

    /**
     * Refuses a database that accepts no writes, then migrates.
     *
     * @return what the migration did
     */
    public Migrated migrate() {
        WritableDatabase.check(jdbc);
        List<String> kind = jdbc.queryForList(EVENTS_TABLE_KIND, String.class, properties.eventsSchema());
        EventsTableState before = EventsTableState.of(kind.isEmpty() ? null : kind.get(0));
        MigrateResult result = SchemaMigration.migrate(dataSource, properties);
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        log.info("Database schema is at version {} ({} migrations applied now)", version, result.migrationsExecuted);
        boolean eventsTableMigrated = result.getSuccessfulMigrations().stream()
                .anyMatch(m -> MigrationConfiguration.SchemaState.EVENTS_TABLE_VERSION.equals(m.version));
        if (eventsTableMigrated && before == EventsTableState.PLAIN
                && jdbc.queryForList(EVENTS_TABLE_KIND, String.class, properties.eventsSchema()).equals(List.of("r"))) {
            before = EventsTableState.LEFT_PLAIN; // to be converted online
        }
        return new Migrated(result.migrationsExecuted, version, eventsTableMigrated ? before : null, eventsTable());
    }

    /**
     * What one run of the migration did.
     *
     * @param eventsTable what migration 3 found in place of the events table ({@link EventsTableState#LEFT_PLAIN}
     *     for a plain one it left to the online conversion); null if it did not run now
     */
    public record Migrated(int applied, String version, EventsTableState eventsTable, TableName events) {

        /** In words, for a failure after the migration: what is now different in the database. */
        public String describe() {
            if (applied == 0) {
                return "Nothing was changed in the database.";
            }
            return "The migration had already run, before this check: " + applied + (applied == 1 ? " migration" : " migrations")
                    + " applied, schema partwarden is at version " + version
                    + (eventsTable == null ? "" : ", and " + events + " was " + eventsTable.done())
                    + ". No maintenance pass ran.";
        }
    }
}
