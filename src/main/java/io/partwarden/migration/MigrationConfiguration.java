package io.partwarden.migration;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.cli.RunMode;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Migrates at start-up, before anything that reads the partitions is created; in the modes that
 * change nothing (--dry-run, --verify) only finds which migrations are pending.
 */
@Configuration(proxyBeanMethods = false)
public class MigrationConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MigrationConfiguration.class);

    @Bean
    public SchemaState schemaState(DataSource dataSource, PartwardenProperties properties, Environment environment) {
        Flyway flyway = SchemaMigration.flyway(dataSource, properties);
        if (!RunMode.of(environment).changesDatabase()) {
            List<String> pending = Arrays.stream(flyway.info().pending())
                    .map(m -> "V" + m.getVersion() + " " + m.getDescription()).toList();
            return new SchemaState(pending);
        }
        WritableDatabase.check(new JdbcTemplate(dataSource));
        MigrateResult result = SchemaMigration.migrate(dataSource, properties);
        log.info("Database schema is at version {} ({} migrations applied now)",
                result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                result.migrationsExecuted);
        return new SchemaState(List.of());
    }

    /** @param pending migrations not applied (only in the modes that change nothing) */
    public record SchemaState(List<String> pending) {
    }
}
