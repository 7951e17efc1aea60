package io.partwarden.migration;

import io.partwarden.config.PartwardenProperties;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Partwarden's one Flyway configuration. Its history table is {@code partwarden_schema_history}
 * in schema {@code partwarden}, apart from any migrations the application keeps. Each migration
 * runs in one transaction, so a failed one leaves the database as it was before it.
 */
public final class SchemaMigration {

    public static final String SCHEMA = "partwarden";
    public static final String HISTORY_TABLE = "partwarden_schema_history";
    static final String LOCATION = "classpath:db/partwarden";

    private SchemaMigration() {
    }

    public static Flyway flyway(DataSource dataSource, PartwardenProperties properties) {
        PartwardenProperties.Migration migration = properties.migration();
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .table(HISTORY_TABLE)
                .placeholders(Map.of(
                        "events_schema", properties.eventsSchema(),
                        "lock_timeout", migration.lockTimeout().toMillis() + "ms",
                        "lock_attempts", Integer.toString(migration.lockAttempts()),
                        "sql_api_lock_timeout", migration.sqlApiLockTimeout().toMillis() + "ms"))
                .load();
    }

    public static MigrateResult migrate(DataSource dataSource, PartwardenProperties properties) {
        return flyway(dataSource, properties).migrate();
    }
}
