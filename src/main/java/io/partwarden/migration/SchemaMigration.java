package io.partwarden.migration;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.session.SafeSession;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Partwarden's one Flyway configuration. Its history table is {@code partwarden_schema_history}
 * in schema {@code partwarden}, apart from any migrations the application keeps. Each migration
 * runs in one transaction, so a failed one leaves the database as it was before it. Its sessions
 * start with {@link SafeSession}'s settings (Flyway puts its schema in front of that path).
 */
public final class SchemaMigration {

    public static final String SCHEMA = "partwarden";
    public static final String HISTORY_TABLE = "partwarden_schema_history";
    static final String LOCATION = "classpath:db/partwarden";
    static final String APPLIED = "SELECT count(*) FROM partwarden." + HISTORY_TABLE + " WHERE success AND version IS NOT NULL"
            + " AND type <> 'SCHEMA'";
    static final String DROP_SCHEMA = "DROP SCHEMA " + SCHEMA + " CASCADE";

    private SchemaMigration() {
    }

    public static Flyway flyway(DataSource dataSource, PartwardenProperties properties) {
        return flyway(dataSource, properties, false);
    }

    /** @param firstRun all pending migrations in one transaction, so a failure leaves none applied */
    static Flyway flyway(DataSource dataSource, PartwardenProperties properties, boolean firstRun) {
        PartwardenProperties.Migration migration = properties.migration();
        return Flyway.configure()
                .dataSource(dataSource)
                .group(firstRun)
                .initSql(SafeSession.INIT_SQL)
                .outputQueryResults(false) // the init SQL's rows are no output of ours
                .locations(LOCATION)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .table(HISTORY_TABLE)
                .javaMigrations(new ConversionFunctionsMigration())
                .callbacks(new ConversionFunctionsBeforeConversion(properties))
                .placeholders(Map.of(
                        "events_schema", properties.eventsSchema(),
                        "lock_timeout", migration.lockTimeout().toMillis() + "ms",
                        "lock_attempts", Integer.toString(migration.lockAttempts()),
                        "sql_api_lock_timeout", migration.sqlApiLockTimeout().toMillis() + "ms"))
                .load();
    }

    /**
     * Migrates, once the schema is found trustworthy ({@link SchemaTrust}). The first run applies
     * every migration in one transaction and, should it fail, removes the schema it created:
     * nothing is left that a later run, perhaps as another role, would have to trust.
     */
    public static MigrateResult migrate(DataSource dataSource, PartwardenProperties properties) {
        boolean existed = SchemaTrust.check(dataSource, SCHEMA);
        try {
            return flyway(dataSource, properties, !existed).migrate();
        } catch (RuntimeException failed) {
            if (!existed) {
                removeSchemaOfFailedFirstRun(dataSource, failed);
            }
            throw failed;
        }
    }

    private static void removeSchemaOfFailedFirstRun(DataSource dataSource, RuntimeException failed) {
        try {
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            Long applied = jdbc.queryForObject(APPLIED, Long.class);
            if (applied != null && applied == 0) {
                jdbc.execute(DROP_SCHEMA);
            }
        } catch (RuntimeException cleanup) {
            failed.addSuppressed(new FlywayException("could not remove schema " + SCHEMA
                    + ", created by this failed first run: " + cleanup.getMessage(), cleanup));
        }
    }
}
